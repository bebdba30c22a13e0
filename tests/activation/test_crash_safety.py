"""Crash safety: the sync process is killed (SIGKILL) at random points, many times, then left to finish; the
fake receiver must hold exactly the eligible members, each applied once, and the state must match it.

Kills land anywhere: while Python starts, while the diff streams, between a request and its acknowledgement,
during compaction. Half of them wait for a random number of requests to reach the receiver, so many land in
the middle of the delivery.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

import pytest

from tests.activation.conftest import FixtureWarehouse
from tests.conftest import PROJECT_DIR

KILLS_FIRST_SYNC = 12
KILLS_RESYNC = 6


def enlarge(warehouse: FixtureWarehouse, copies: int) -> None:
    """Copies of every person with their own ids and e-mails: a few hundred members, ~50 batches of 7."""
    people = warehouse.table("fixture_people")
    warehouse.execute(
        f"""insert into {people}
        select people.* replace (
            people.customer_id || '-' || copies.copy_number as customer_id,
            case when people.email = '' then people.email else 'c' || copies.copy_number || '.' ||
            trim(people.email) end
                as email
        )
        from {people} as people
        cross join range(1, {copies}) as copies (copy_number)"""
    )


def start_sync(warehouse: FixtureWarehouse) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "activation", "sync", "fixture_webhook", "--no-progress",
        "--manifest", str(warehouse.built.manifest), "--target", "duckdb",
        "--project-dir", str(warehouse.built.project_dir),
    ]  # fmt: skip
    return subprocess.Popen(
        command, env=warehouse.env, cwd=PROJECT_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def kill_somewhere(warehouse: FixtureWarehouse, rng: random.Random) -> bool:
    """Start a sync and SIGKILL it at a random point; True when it finished before the kill."""
    receiver = warehouse.fakes.webhook
    requests_before = len(receiver.server.requests)
    process = start_sync(warehouse)
    by_requests = rng.random() < 0.5
    deadline = time.monotonic() + rng.uniform(0.2, 2.5)
    target = requests_before + rng.randint(1, 30)
    while process.poll() is None:
        if (by_requests and len(receiver.server.requests) >= target) or (
            not by_requests and time.monotonic() >= deadline
        ):
            process.send_signal(signal.SIGKILL)
            process.wait()
            return False
        time.sleep(0.005)
    return True


def finish(warehouse: FixtureWarehouse) -> None:
    completed = start_sync(warehouse).wait(timeout=300)
    assert completed == 0


def assert_consistent(warehouse: FixtureWarehouse) -> None:
    receiver = warehouse.fakes.webhook
    eligible = warehouse.eligible()
    assert set(receiver.held) == set(eligible)
    assert {key: (fields["email"], fields["city"]) for key, fields in receiver.held.items()} == eligible
    held = warehouse.query(f"select record_key from {warehouse.state('destination_records')}")
    assert {key for (key,) in held} == set(eligible)
    assert warehouse.query(f"select count(*) from {warehouse.state('batches')}") == [(0,)]


@pytest.mark.slow
def test_killed_at_random_points_then_exactly_the_right_set(duckdb_warehouse: FixtureWarehouse) -> None:
    warehouse = duckdb_warehouse
    rng = random.Random(20260601)
    enlarge(warehouse, copies=8)
    receiver = warehouse.fakes.webhook
    receiver.delay_seconds = 0.02

    finished_early = sum(kill_somewhere(warehouse, rng) for _ in range(KILLS_FIRST_SYNC))
    finish(warehouse)
    assert_consistent(warehouse)
    # Exactly once: every record applied once, whatever was resent (the receiver dropped repeated
    # webhook-ids).
    assert set(receiver.applied.values()) == {1}
    assert finished_early < KILLS_FIRST_SYNC / 2, "most kills must land inside a sync"

    people = warehouse.table("fixture_people")
    warehouse.execute(f"update {people} set city = 'Rennes' where customer_id like 'cust_001%'")
    warehouse.execute(f"update {people} set is_member = false where customer_id like 'cust_002%'")
    changed = {key for key, (_email, city) in warehouse.eligible().items() if city == "Rennes"}
    applied_before = dict(receiver.applied)
    for _ in range(KILLS_RESYNC):
        kill_somewhere(warehouse, rng)
    finish(warehouse)
    assert_consistent(warehouse)
    for key, count in receiver.applied.items():
        expected = applied_before.get(key, 0) + (1 if key in changed else 0)
        if key not in warehouse.eligible():
            expected = applied_before[key] + 1  # its removal
        assert count == expected, key
    runs = warehouse.query(f"select status, count(*) from {warehouse.state('sync_runs')} group by status")
    assert dict(runs).get("succeeded", 0) >= 2
