"""The conformance suite every destination passes: the same scenarios, each destination with its fake.

Scenarios: first sync delivers exactly the eligible members and a second sends nothing; changes (attributes,
identifiers, joins, leaves, consent withdrawn, erasure) arrive as the right adds, updates and removes; a
throttled run completes after the platform's own signal; bad credentials stop the run without leaking them; a
crash between delivery and acknowledgement is resumed without loss or double application; a partially rejected
batch stores its rejections as data. A new destination adds a harness here (issue 7's catalogue does).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from activation.syncs import pii
from activation.syncs.engine import SyncRunner
from activation.syncs.runner import open_warehouses
from tests.activation.conftest import FixtureWarehouse


def _hash(value: str | None) -> str | None:
    return pii.sha256_hex(value) if value is not None else None


@dataclass
class Harness:
    name: str
    sync_name: str
    channel: str
    held: Callable[[FixtureWarehouse], Any]
    expected: Callable[[FixtureWarehouse], Any]
    throttle: Callable[[FixtureWarehouse, int], None] | None = None
    break_credentials: Callable[[pytest.MonkeyPatch], str] | None = None
    reject_one: Callable[[FixtureWarehouse], str] | None = None
    applications: Callable[[FixtureWarehouse], dict[str, int]] | None = None


# ------------------------------------------------------------------------------------------------ webhook


def webhook_held(warehouse: FixtureWarehouse) -> dict[str, tuple[Any, ...]]:
    return {key: (fields["email"], fields["city"]) for key, fields in warehouse.fakes.webhook.held.items()}


def webhook_expected(warehouse: FixtureWarehouse) -> dict[str, tuple[Any, ...]]:
    eligible = warehouse.eligible_members("email", ("email", "phone_e164"))
    return {row["customer_id"]: (row["email"], row["city"]) for row in eligible}


def webhook_throttle(warehouse: FixtureWarehouse, count: int) -> None:
    warehouse.fakes.webhook.throttle_next, warehouse.fakes.webhook.retry_after = count, "1"


def webhook_wrong_secret(monkeypatch: pytest.MonkeyPatch) -> str:
    wrong = "whsec_" + "YW5vdGhlci1zaWduaW5nLWtleS1vZi0zMi1ieXRlcyE="
    monkeypatch.setenv("FIXTURE_WEBHOOK_SECRET", wrong)
    return wrong


def webhook_reject(warehouse: FixtureWarehouse) -> str:
    warehouse.fakes.webhook.rejected_keys["cust_0001"] = False
    return "cust_0001"


# --------------------------------------------------------------------------------------------------- Meta

META_IDENTIFIER_COLUMNS = (
    "email",
    "phone_e164",
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "city",
    "postal_code",
    "country_code",
)
META_KEYS = ("EMAIL", "PHONE", "FN", "LN", "GEN", "DOBY", "DOBM", "DOBD", "CT", "ZIP", "COUNTRY")


def meta_row(row: dict[str, Any]) -> tuple[tuple[str, str], ...] | None:
    parts = pii.meta_birth_date_parts(row["birth_date"])
    values = {
        "EMAIL": _hash(pii.normalize_email(row["email"])),
        "PHONE": _hash(pii.meta_phone(row["phone_e164"])),
        "FN": _hash(pii.meta_name(row["first_name"])),
        "LN": _hash(pii.meta_name(row["last_name"])),
        "GEN": _hash(pii.meta_gender(row["gender"])),
        "DOBY": _hash(parts[0]) if parts else None,
        "DOBM": _hash(parts[1]) if parts else None,
        "DOBD": _hash(parts[2]) if parts else None,
        "CT": _hash(pii.meta_city(row["city"])),
        "ZIP": _hash(pii.meta_postal_code(row["postal_code"])),
        "COUNTRY": _hash(pii.meta_country(row["country_code"])),
    }
    member = tuple((key, values[key]) for key in META_KEYS if values[key] is not None)
    return member or None


def meta_held(warehouse: FixtureWarehouse) -> set[tuple[tuple[str, str], ...]]:
    return set(warehouse.fakes.meta.members)


def meta_expected(warehouse: FixtureWarehouse) -> set[tuple[tuple[str, str], ...]]:
    eligible = warehouse.eligible_members("ads_personalisation", META_IDENTIFIER_COLUMNS)
    return {member for row in eligible if (member := meta_row(row))}


def meta_throttle(warehouse: FixtureWarehouse, count: int) -> None:
    warehouse.fakes.meta.throttle_next = count


def meta_wrong_token(monkeypatch: pytest.MonkeyPatch) -> str:
    wrong = "EAAB-an-expired-token-0000000000"
    monkeypatch.setenv("FIXTURE_META_TOKEN", wrong)
    return wrong


def meta_reject(warehouse: FixtureWarehouse) -> str:
    """A member with nothing Meta can match on is rejected before sending (Meta has no per-record errors)."""
    columns = "email = null, phone_e164 = null, first_name = null, last_name = null"
    warehouse.execute(
        f"update {warehouse.table('fixture_people')} set {columns} where customer_id = 'cust_0001'"
    )
    return "cust_0001"


# ---------------------------------------------------------------------------------------------- Mailchimp


def mailchimp_held(warehouse: FixtureWarehouse) -> dict[str, dict[str, Any]]:
    return warehouse.fakes.mailchimp.subscribed()


def mailchimp_expected(warehouse: FixtureWarehouse) -> dict[str, dict[str, Any]]:
    expected = {}
    for row in warehouse.eligible_members("email", ("email",)):
        email = pii.normalize_email(row["email"])
        if email is not None:
            merge = {"FNAME": row["first_name"], "LNAME": row["last_name"]}
            expected[email] = {tag: value for tag, value in merge.items() if value is not None}
    return expected


def mailchimp_throttle(warehouse: FixtureWarehouse, count: int) -> None:
    warehouse.fakes.mailchimp.throttle_next = count


def mailchimp_wrong_key(monkeypatch: pytest.MonkeyPatch) -> str:
    wrong = "ffffffffffffffffffffffffffffffff-us21"
    monkeypatch.setenv("FIXTURE_MAILCHIMP_API_KEY", wrong)
    return wrong


def mailchimp_reject(warehouse: FixtureWarehouse) -> str:
    """Mailchimp refuses one address in its 200 answer (a member in a compliance state)."""
    warehouse.fakes.mailchimp.rejected_emails.add("emilie.martin1@example.com")
    return "cust_0001"


# -------------------------------------------------------------------------------------------------- Brevo


def brevo_held(warehouse: FixtureWarehouse) -> dict[str, dict[str, Any]]:
    return warehouse.fakes.brevo.in_list()


def brevo_expected(warehouse: FixtureWarehouse) -> dict[str, dict[str, Any]]:
    expected = {}
    for row in warehouse.eligible_members("email", ("email",)):
        email = pii.normalize_email(row["email"])
        if email is not None:
            attributes = {"FIRSTNAME": row["first_name"], "LASTNAME": row["last_name"]}
            expected[email] = {name: value for name, value in attributes.items() if value is not None}
    return expected


def brevo_throttle(warehouse: FixtureWarehouse, count: int) -> None:
    warehouse.fakes.brevo.throttle_next = count


def brevo_wrong_key(monkeypatch: pytest.MonkeyPatch) -> str:
    wrong = "xkeysib-revoked0000000000000000-ZzZzZzZz"
    monkeypatch.setenv("FIXTURE_BREVO_API_KEY", wrong)
    return wrong


def brevo_reject(warehouse: FixtureWarehouse) -> str:
    """An address Brevo's import would skip silently is rejected before sending."""
    people = warehouse.table("fixture_people")
    warehouse.execute(f"update {people} set email = 'emilie.martin1' where customer_id = 'cust_0001'")
    return "cust_0001"


# ------------------------------------------------------------------------------------------------ Klaviyo


def klaviyo_held(warehouse: FixtureWarehouse) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    return {
        (profile.get("email"), profile.get("phone_number")): (
            profile.get("first_name"),
            profile.get("last_name"),
            (profile.get("location") or {}).get("city"),
        )
        for profile in warehouse.fakes.klaviyo.members().values()
    }


def klaviyo_expected(warehouse: FixtureWarehouse) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    return {
        (pii.normalize_email(row["email"]), pii.klaviyo_phone(row["phone_e164"])): (
            row["first_name"],
            row["last_name"],
            row["city"],
        )
        for row in warehouse.eligible_members("email", ("email", "phone_e164"))
    }


def klaviyo_throttle(warehouse: FixtureWarehouse, count: int) -> None:
    warehouse.fakes.klaviyo.throttle_next = count


def klaviyo_wrong_key(monkeypatch: pytest.MonkeyPatch) -> str:
    wrong = "pk_revoked000000000000000000000000000"
    monkeypatch.setenv("FIXTURE_KLAVIYO_API_KEY", wrong)
    return wrong


def klaviyo_reject(warehouse: FixtureWarehouse) -> str:
    """Klaviyo's import job fails one profile, reported by the job's import errors."""
    warehouse.fakes.klaviyo.rejected_emails.add("emilie.martin1@example.com")
    return "cust_0001"


# -------------------------------------------------------------------------------------------------- files


def replay_record_files(directory: Path) -> dict[str, tuple[Any, ...]]:
    """What a consumer of the JSON Lines files holds after applying every file in order."""
    held: dict[str, tuple[Any, ...]] = {}
    for path in sorted(directory.glob("*/*.jsonl"), key=lambda item: (item.parent.name, item.name)):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if record["action"] == "remove":
                held.pop(record["key"], None)
            else:
                held[record["key"]] = (record["fields"]["email"], record["fields"]["city"])
    return held


def files_held(warehouse: FixtureWarehouse) -> dict[str, tuple[Any, ...]]:
    return replay_record_files(warehouse.files_dir / "fixture_files")


def files_expected(warehouse: FixtureWarehouse) -> dict[str, tuple[Any, ...]]:
    # fixture_files maps the e-mail only: members without one are nobody the file's reader could reach.
    eligible = warehouse.eligible_members("email", ("email",))
    return {row["customer_id"]: (row["email"], row["city"]) for row in eligible}


def replay_customer_lists(directory: Path) -> set[tuple[str, ...]]:
    held: set[tuple[str, ...]] = set()
    for path in sorted(directory.glob("*/*.csv"), key=lambda item: (item.parent.name, item.name)):
        lines = path.read_text().splitlines()
        assert lines[0] == "Email,Phone,First Name,Last Name,Country,Zip"
        rows = {tuple(line.split(",")) for line in lines[1:]}
        if path.stem.startswith("remove") or path.stem.endswith("-remove"):
            held -= rows
        else:
            held |= rows
    return held


def google_held(warehouse: FixtureWarehouse) -> set[tuple[str, ...]]:
    return replay_customer_lists(warehouse.files_dir / "fixture_google_list")


def google_expected(warehouse: FixtureWarehouse) -> set[tuple[str, ...]]:
    return {
        (
            _hash(pii.normalize_email(row["email"])) or "",
            _hash(pii.google_phone(row["phone_e164"])) or "",
            _hash(pii.google_name(row["first_name"])) or "",
            _hash(pii.google_name(row["last_name"])) or "",
            pii.google_country(row["country_code"]) or "",
            pii.google_postal_code(row["postal_code"]) or "",
        )
        for row in warehouse.eligible_members(
            "ads_personalisation",
            ("email", "phone_e164", "first_name", "last_name", "country_code", "postal_code"),
        )
    }


# ------------------------------------------------------------------------------------------------ CRMs


def crm_expected_rows(warehouse: FixtureWarehouse) -> list[dict[str, Any]]:
    """Members a CRM sync sends: consent channel none by default, so every member not held out, not erased,
    with an e-mail (the fixture CRM syncs map the e-mail as their identifier)."""
    rows = warehouse.query(
        f"""select segment.customer_id, segment.email, segment.city
        from {warehouse.table("seg_fixture_members")} as segment
        inner join {warehouse.table("dim_customers")} as consent on segment.customer_id = consent.customer_id
        where not segment.is_holdout and not consent.is_erased and segment.email is not null"""
    )
    return [{"customer_id": row[0], "email": row[1], "city": row[2]} for row in rows]


def hubspot_held(warehouse: FixtureWarehouse) -> dict[str, str | None]:
    """E-mail -> city of the contacts in the synced list (contacts outside it do not count)."""
    return {fields["email"]: fields.get("city") for fields in warehouse.fakes.hubspot.members().values()}


def hubspot_expected(warehouse: FixtureWarehouse) -> dict[str, str | None]:
    return {pii.normalize_email(row["email"]): row["city"] for row in crm_expected_rows(warehouse)}


def hubspot_throttle(warehouse: FixtureWarehouse, count: int) -> None:
    warehouse.fakes.hubspot.throttle_next, warehouse.fakes.hubspot.interval_ms = count, 50


def hubspot_wrong_token(monkeypatch: pytest.MonkeyPatch) -> str:
    wrong = "pat-eu1-revoked-token-00000000000000"
    monkeypatch.setenv("FIXTURE_HUBSPOT_TOKEN", wrong)
    return wrong


def hubspot_reject(warehouse: FixtureWarehouse) -> str:
    """HubSpot refuses one input of the batch (207 Multi-Status), mapped back by objectWriteTraceId."""
    email = warehouse.query(
        f"select email from {warehouse.table('fixture_people')} where customer_id = 'cust_0001'"
    )[0][0]
    warehouse.fakes.hubspot.rejected_ids.add(pii.normalize_email(email))
    return "cust_0001"


def salesforce_held(warehouse: FixtureWarehouse) -> dict[str, tuple[Any, ...]]:
    return {
        key: (fields.get("Email"), fields.get("MailingCity"))
        for key, fields in warehouse.fakes.salesforce.by_external_id().items()
    }


def salesforce_expected(warehouse: FixtureWarehouse) -> dict[str, tuple[Any, ...]]:
    return {row["customer_id"]: (row["email"].strip(), row["city"]) for row in crm_expected_rows(warehouse)}


def salesforce_throttle(warehouse: FixtureWarehouse, count: int) -> None:
    warehouse.fakes.salesforce.throttle_next = count


def salesforce_wrong_token(monkeypatch: pytest.MonkeyPatch) -> str:
    wrong = "00Dfixture!AQ8AQ-expired-session-000000000"
    monkeypatch.setenv("FIXTURE_SALESFORCE_TOKEN", wrong)
    return wrong


def salesforce_reject(warehouse: FixtureWarehouse) -> str:
    """An e-mail Salesforce refuses: INVALID_EMAIL_ADDRESS for that record of the collection only."""
    warehouse.execute(
        f"update {warehouse.table('fixture_people')} set email = 'not-an-address' "
        "where customer_id = 'cust_0001'"
    )
    return "cust_0001"


# -------------------------------------------------------------------------------------------- Google Ads

GOOGLE_ADS_IDENTIFIER_COLUMNS = (
    "email",
    "phone_e164",
    "first_name",
    "last_name",
    "country_code",
    "postal_code",
)


def google_ads_identifiers(row: dict[str, Any]) -> set[tuple[str, ...]]:
    """What Google holds for one person: each identifier on its own (Google matches every one to an
    account); the address only when all four parts are known."""
    held: set[tuple[str, ...]] = set()
    email, phone = pii.normalize_email(row["email"]), pii.google_phone(row["phone_e164"])
    if email:
        held.add(("hashedEmail", pii.sha256_hex(email)))
    if phone:
        held.add(("hashedPhoneNumber", pii.sha256_hex(phone)))
    first, last = pii.google_name(row["first_name"]), pii.google_name(row["last_name"])
    country, postal_code = pii.google_country(row["country_code"]), pii.google_postal_code(row["postal_code"])
    if first and last and country and postal_code:
        held.add(("addressInfo", pii.sha256_hex(first), pii.sha256_hex(last), country, postal_code))
    return held


def google_ads_held(warehouse: FixtureWarehouse) -> set[tuple[str, ...]]:
    return set(warehouse.fakes.google_ads.members)


def google_ads_expected(warehouse: FixtureWarehouse) -> set[tuple[str, ...]]:
    eligible = warehouse.eligible_members("ads_personalisation", GOOGLE_ADS_IDENTIFIER_COLUMNS)
    return set().union(*(google_ads_identifiers(row) for row in eligible))


def google_ads_throttle(warehouse: FixtureWarehouse, count: int) -> None:
    warehouse.fakes.google_ads.throttle_next, warehouse.fakes.google_ads.retry_delay = count, "0.2s"


def google_ads_wrong_token(monkeypatch: pytest.MonkeyPatch) -> str:
    wrong = "ya29.an-expired-oauth-token-000000"
    monkeypatch.setenv("FIXTURE_GOOGLE_ADS_ACCESS_TOKEN", wrong)
    return wrong


def google_ads_reject(warehouse: FixtureWarehouse) -> str:
    """Google refuses one person's e-mail in the partial failure of addOperations."""
    (email,) = warehouse.query(
        f"select email from {warehouse.table('seg_fixture_members')} where customer_id = 'cust_0001'"
    )[0]
    hashed = pii.sha256_hex(pii.normalize_email(email) or "")
    warehouse.fakes.google_ads.rejected_identifiers[hashed] = "INVALID_SHA256_FORMAT"
    return "cust_0001"


# ------------------------------------------------------------------------------------------------ TikTok


def tiktok_expected(warehouse: FixtureWarehouse) -> set[tuple[str, str]]:
    held: set[tuple[str, str]] = set()
    for row in warehouse.eligible_members("ads_personalisation", ("email", "phone_e164")):
        email, phone = pii.normalize_email(row["email"]), pii.google_phone(row["phone_e164"])
        if email:
            held.add(("EMAIL_SHA256", pii.sha256_hex(email)))
        if phone:
            held.add(("PHONE_SHA256", pii.sha256_hex(phone)))
    return held


def tiktok_throttle(warehouse: FixtureWarehouse, count: int) -> None:
    warehouse.fakes.tiktok.throttle_next = count


def tiktok_wrong_token(monkeypatch: pytest.MonkeyPatch) -> str:
    wrong = "revoked-tiktok-token-00000000000000"
    monkeypatch.setenv("FIXTURE_TIKTOK_TOKEN", wrong)
    return wrong


def tiktok_reject(warehouse: FixtureWarehouse) -> str:
    """A member whose only phone lacks its country code (and no e-mail) is rejected before sending: TikTok
    has no per-record errors."""
    warehouse.execute(
        f"update {warehouse.table('fixture_people')} set email = null, phone_e164 = '06 12 00 79 19' "
        "where customer_id = 'cust_0001'"
    )
    return "cust_0001"


# ---------------------------------------------------------------------------------------------- LinkedIn


def linkedin_expected(warehouse: FixtureWarehouse) -> dict[tuple[str, str], dict[str, str]]:
    """Hashed e-mail -> the attributes of its ADD (names and country in clear, as LinkedIn takes them)."""
    held: dict[tuple[str, str], dict[str, str]] = {}
    for row in warehouse.eligible_members("ads_personalisation", ("email",)):
        email = pii.normalize_email(row["email"])
        if email is None:
            continue
        attributes = {
            "firstName": pii.linkedin_text(row["first_name"]),
            "lastName": pii.linkedin_text(row["last_name"]),
            "country": pii.google_country(row["country_code"]),
        }
        held[("SHA256_EMAIL", pii.sha256_hex(email))] = {
            key: value for key, value in attributes.items() if value is not None
        }
    return held


def linkedin_throttle(warehouse: FixtureWarehouse, count: int) -> None:
    warehouse.fakes.linkedin.throttle_next = count


def linkedin_wrong_token(monkeypatch: pytest.MonkeyPatch) -> str:
    wrong = "AQrevoked-linkedin-token-000000000000"
    monkeypatch.setenv("FIXTURE_LINKEDIN_TOKEN", wrong)
    return wrong


def linkedin_reject(warehouse: FixtureWarehouse) -> str:
    """LinkedIn refuses one element of the batch (status 400 at its position in the answer)."""
    (email,) = warehouse.query(
        f"select email from {warehouse.table('seg_fixture_members')} where customer_id = 'cust_0001'"
    )[0]
    warehouse.fakes.linkedin.rejected_ids.add(pii.sha256_hex(pii.normalize_email(email) or ""))
    return "cust_0001"


HARNESSES = [
    Harness(
        "webhook",
        "fixture_webhook",
        "email",
        webhook_held,
        webhook_expected,
        throttle=webhook_throttle,
        break_credentials=webhook_wrong_secret,
        reject_one=webhook_reject,
        applications=lambda warehouse: dict(warehouse.fakes.webhook.applied),
    ),
    Harness(
        "meta_custom_audience",
        "fixture_meta",
        "ads_personalisation",
        meta_held,
        meta_expected,
        throttle=meta_throttle,
        break_credentials=meta_wrong_token,
        reject_one=meta_reject,
    ),
    Harness(
        "mailchimp",
        "fixture_mailchimp",
        "email",
        mailchimp_held,
        mailchimp_expected,
        throttle=mailchimp_throttle,
        break_credentials=mailchimp_wrong_key,
        reject_one=mailchimp_reject,
    ),
    Harness(
        "brevo",
        "fixture_brevo",
        "email",
        brevo_held,
        brevo_expected,
        throttle=brevo_throttle,
        break_credentials=brevo_wrong_key,
        reject_one=brevo_reject,
    ),
    Harness(
        "klaviyo",
        "fixture_klaviyo",
        "email",
        klaviyo_held,
        klaviyo_expected,
        throttle=klaviyo_throttle,
        break_credentials=klaviyo_wrong_key,
        reject_one=klaviyo_reject,
    ),
    Harness("files_jsonl", "fixture_files", "email", files_held, files_expected),
    Harness(
        "files_google_ads_list", "fixture_google_list", "ads_personalisation", google_held, google_expected
    ),
    Harness(
        "hubspot",
        "fixture_hubspot",
        "none",
        hubspot_held,
        hubspot_expected,
        throttle=hubspot_throttle,
        break_credentials=hubspot_wrong_token,
        reject_one=hubspot_reject,
    ),
    Harness(
        "salesforce",
        "fixture_salesforce",
        "none",
        salesforce_held,
        salesforce_expected,
        throttle=salesforce_throttle,
        break_credentials=salesforce_wrong_token,
        reject_one=salesforce_reject,
    ),
    Harness(
        "google_ads_customer_match",
        "fixture_google_ads",
        "ads_personalisation",
        google_ads_held,
        google_ads_expected,
        throttle=google_ads_throttle,
        break_credentials=google_ads_wrong_token,
        reject_one=google_ads_reject,
    ),
    Harness(
        "tiktok_audience",
        "fixture_tiktok",
        "ads_personalisation",
        lambda warehouse: set(warehouse.fakes.tiktok.members),
        tiktok_expected,
        throttle=tiktok_throttle,
        break_credentials=tiktok_wrong_token,
        reject_one=tiktok_reject,
    ),
    Harness(
        "linkedin_matched_audience",
        "fixture_linkedin",
        "ads_personalisation",
        lambda warehouse: dict(warehouse.fakes.linkedin.members),
        linkedin_expected,
        throttle=linkedin_throttle,
        break_credentials=linkedin_wrong_token,
        reject_one=linkedin_reject,
    ),
]


@pytest.fixture(params=HARNESSES, ids=[harness.name for harness in HARNESSES])
def harness(request: pytest.FixtureRequest) -> Harness:
    return request.param


def change_the_data(warehouse: FixtureWarehouse) -> None:
    people = warehouse.table("fixture_people")
    for statement in (
        "city = 'Quimper' where customer_id in ('cust_0001', 'cust_0002')",
        "email = 'changed.' || trim(email) where customer_id = 'cust_0004'",
        "is_member = false where customer_id = 'cust_0005'",
        "is_member = true where customer_id = 'cust_0011'",
        "has_email_consent = false, has_ads_personalisation_consent = false where customer_id = 'cust_0008'",
        "is_erased = true where customer_id = 'cust_0010'",
    ):
        warehouse.execute(f"update {people} set {statement}")


def test_first_sync_then_nothing_then_only_changes(
    duckdb_warehouse: FixtureWarehouse, harness: Harness
) -> None:
    warehouse = duckdb_warehouse
    first = warehouse.sync(harness.sync_name)
    assert first.status == "succeeded", first.error
    expected = harness.expected(warehouse)
    assert expected and harness.held(warehouse) == expected
    second = warehouse.sync(harness.sync_name)
    assert second.counts.batches_sent == 0 and second.counts.requests_sent == 0
    assert harness.held(warehouse) == expected

    before = harness.applications(warehouse) if harness.applications else None
    change_the_data(warehouse)
    third = warehouse.sync(harness.sync_name)
    assert third.status == "succeeded", third.error
    assert harness.held(warehouse) == harness.expected(warehouse)
    assert third.counts.rows_removed >= 2  # left the segment, lost consent, erased
    if before is not None:
        after = harness.applications(warehouse)
        touched = {key for key in after if after[key] != before.get(key)}
        assert touched <= {
            "cust_0001",
            "cust_0002",
            "cust_0004",
            "cust_0005",
            "cust_0011",
            "cust_0008",
            "cust_0010",
        }


def test_throttled_run_completes(duckdb_warehouse: FixtureWarehouse, harness: Harness) -> None:
    if harness.throttle is None:
        pytest.skip(f"{harness.name} has no throttling")
    harness.throttle(duckdb_warehouse, 2)
    result = duckdb_warehouse.sync(harness.sync_name)
    assert result.status == "succeeded", result.error
    assert result.counts.retries >= 2
    assert harness.held(duckdb_warehouse) == harness.expected(duckdb_warehouse)


def test_bad_credentials_stop_the_run(
    duckdb_warehouse: FixtureWarehouse,
    harness: Harness,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if harness.break_credentials is None:
        pytest.skip(f"{harness.name} has no credentials")
    wrong = harness.break_credentials(monkeypatch)
    result = duckdb_warehouse.sync(harness.sync_name)
    assert result.status == "failed" and result.error
    assert not harness.held(duckdb_warehouse)
    assert wrong not in result.error and wrong not in caplog.text
    runs = duckdb_warehouse.query(f"select status, error_message from {duckdb_warehouse.state('sync_runs')}")
    assert runs[0][0] == "failed" and wrong not in str(runs)
    assert result.counts.batches_sent == 0


def test_crash_after_delivery_is_resumed_without_loss_or_repeat(
    duckdb_warehouse: FixtureWarehouse, harness: Harness
) -> None:
    warehouse = duckdb_warehouse
    sync = warehouse.sync_config(harness.sync_name, max_concurrency=1, batch_size=10)

    class Crash(BaseException):
        pass

    def crashing(context):
        destination = sync.destination_class(sync.destination_settings, context)
        original, sent = destination.send, []

        def send(batch):
            outcome = original(batch)
            sent.append(batch.batch_id)
            if len(sent) == 2:
                raise Crash()
            return outcome

        destination.send = send
        return destination

    opened = open_warehouses(warehouse.built.project_dir, warehouse.target)
    try:
        with pytest.raises(Crash):
            SyncRunner(sync, opened, destination_factory=crashing).run()
    finally:
        opened.close()
    resumed = warehouse.sync(harness.sync_name)
    assert resumed.status == "succeeded", resumed.error
    assert resumed.counts.rows_resent > 0
    assert harness.held(warehouse) == harness.expected(warehouse)
    if harness.applications is not None:
        assert set(harness.applications(warehouse).values()) == {1}
    assert warehouse.query(f"select count(*) from {warehouse.state('batches')}") == [(0,)]


def test_partially_rejected_batch(duckdb_warehouse: FixtureWarehouse, harness: Harness) -> None:
    if harness.reject_one is None:
        pytest.skip(f"{harness.name} rejects no single record")
    key = harness.reject_one(duckdb_warehouse)
    result = duckdb_warehouse.sync(harness.sync_name)
    assert result.status == "partial" and result.counts.rows_rejected == 1
    outcome = duckdb_warehouse.query(
        f"select record_key, status, is_retryable from {duckdb_warehouse.state('record_outcomes')}"
    )
    assert outcome == [(key, "rejected", False)]
    held = duckdb_warehouse.query(
        f"select count(*) from {duckdb_warehouse.state('destination_records')} where record_key = '{key}'"
    )
    assert held == [(0,)]
