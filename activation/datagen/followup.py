"""Follow-up batches: what happened in the ``follow_up_days`` after the previous batch.

A follow-up batch holds only NEW rows (ids carry the batch number, so they never collide with earlier
batches) to append to the raw tables, plus the truth rows of those new records:

* new people, with all their records;
* new records of known people: orders, store receipts, web sessions, tickets;
* people who moved or changed e-mail: a new CRM contact or shop account with the new values;
* bridges: a CRM contact carrying both the e-mail of a person's shop account and the phone of their
  loyalty card, two record clusters nothing linked before;
* corrections of false merges: a person whose records carried a relative's e-mail now gives their own;
* consent withdrawals (same subject and channel as an earlier grant) and new erasure requests.

Nothing is read back from disk: the state of known people is rebuilt by regenerating the base batch with
the same settings, then replaying the person-level changes of earlier follow-ups.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .consent import Decisions, first_value_per_person, make_erasure_requests, render_consent
from .context import ChunkContext, IdAllocator, SourceRows, uniform_times
from .generator import ChunkResult, Generator, truth_table
from .noise import SECONDS_PER_DAY, TYPED_PHONE_STYLES, civil_from_days, render_emails, render_phones
from .people import People, PopulationState, random_addresses, unique_emails
from .schema import TABLE_COLUMNS
from .sources import (
    email_noise,
    latest_index_before,
    make_crm_contacts,
    make_orders,
    make_pos,
    make_shop_customers,
    make_tickets,
    typed_email,
)
from .text import STRING, keyed_uniform, null_where, pick, where
from .web import (
    BROWSE,
    ORDER_ACCOUNT,
    ORDER_GUEST,
    Devices,
    Sessions,
    make_devices,
    make_web_events,
    random_device_of,
)

logger = logging.getLogger(__name__)

SELECTIONS = ("active", "movers", "new_email", "bridge", "own_email", "withdraw", "erasure")
_DIGITS = r"(\d\D*){6,}"  # at least six digits: a usable phone, not a placeholder like "-" or "06 12"


def selections(generator: Generator, batch: int, pidx: np.ndarray) -> dict[str, np.ndarray]:
    """Which base people each kind of follow-up event picks in a batch (independent of everything else)."""
    rates = generator.config.follow_up
    seed = generator.config.seed
    threshold = {
        "active": rates.active,
        "movers": rates.movers,
        "new_email": rates.new_email,
        "bridge": rates.bridge,
        "own_email": rates.own_email,
        "withdraw": rates.consent_withdrawal,
        "erasure": rates.erasure_request,
    }
    return {
        kind: keyed_uniform(seed, f"follow-up/{batch}/{kind}", pidx) < threshold[kind] for kind in SELECTIONS
    }


@dataclass
class Registry:
    """Known people (base people some follow-up batch selects) and the identifiers their records carry."""

    people: People
    accounts: dict[str, object]  # person (known row), created, id, email, phone
    cards: dict[str, object]
    crm: dict[str, object]
    devices: Devices
    granted: Decisions  # decisions whose latest state is "granted"
    bridged: np.ndarray
    corrected: np.ndarray


def _records(rows: SourceRows, lookup: np.ndarray) -> dict[str, object]:
    keep = np.flatnonzero((rows.person >= 0) & (lookup[np.maximum(rows.person, 0)] >= 0))
    index = pa.array(keep)
    return {
        "person": lookup[rows.person[keep]],
        "created": rows.extra["created"][keep],
        "id": rows.extra["record_id"].take(index),
        "email": rows.extra["email"].take(index),
        "phone": rows.extra["phone"].take(index),
    }


def _concat_records(parts: list[dict[str, object]]) -> dict[str, object]:
    return {
        key: pa.concat_arrays([p[key] for p in parts])
        if isinstance(parts[0][key], pa.Array)
        else np.concatenate([p[key] for p in parts])
        for key in parts[0]
    }


def _granted_decisions(decisions: Decisions, lookup: np.ndarray) -> Decisions:
    """Latest decision per (person, channel, subject) when it is a grant, for the known people."""
    keep = np.flatnonzero(lookup[decisions.person] >= 0)
    d = Decisions(
        lookup[decisions.person[keep]],
        decisions.channel[keep],
        decisions.granted[keep],
        decisions.subject_type[keep],
        decisions.subject_value.take(pa.array(keep)),
        decisions.time[keep],
        decisions.via[keep],
    )
    subject_key = pc.binary_join_element_wise(pc.cast(pa.array(d.subject_type), STRING), d.subject_value, "|")
    codes = pc.dictionary_encode(subject_key).indices.to_numpy(zero_copy_only=False)
    order = np.lexsort((d.time, codes, d.channel, d.person))
    key = np.stack([d.person[order], d.channel[order], codes[order]])
    last = np.ones(len(order), bool)
    if len(order) > 1:
        last[:-1] = (key[:, 1:] != key[:, :-1]).any(axis=0)
    chosen = order[last & d.granted[order]]
    chosen.sort()
    return Decisions(
        d.person[chosen],
        d.channel[chosen],
        d.granted[chosen],
        d.subject_type[chosen],
        d.subject_value.take(pa.array(chosen)),
        d.time[chosen],
        d.via[chosen],
    )


def build_registry(generator: Generator, interest: np.ndarray, state: PopulationState) -> Registry:
    """Regenerate the base batch and keep what follow-ups need about the people in ``interest``."""
    people_parts, accounts, cards, crm, device_parts, granted = [], [], [], [], [], []
    offset = 0
    for result in generator.iter_batch(0, state):
        people = result.people
        rows = np.flatnonzero(interest[people.pidx])
        lookup = np.full(len(people), -1, dtype=np.int64)
        lookup[rows] = offset + np.arange(len(rows))
        people_parts.append(people.take(rows))
        accounts.append(_records(result.rows["shop_customers"], lookup))
        cards.append(_records(result.rows["loyalty_members"], lookup))
        crm.append(_records(result.rows["crm_contacts"], lookup))
        devices = result.devices
        kept = np.flatnonzero(lookup[devices.person] >= 0)
        device_parts.append(
            Devices(
                lookup[devices.person[kept]],
                devices.anonymous_id.take(pa.array(kept)),
                devices.device_type[kept],
                devices.identified_from[kept],
            )
        )
        granted.append(_granted_decisions(result.decisions, lookup))
        offset += len(rows)
        logger.info("replayed base chunk %d (%d known people so far)", result.chunk, offset)
    known = People.concat(people_parts)
    devices = Devices(
        np.concatenate([d.person for d in device_parts]),
        pa.concat_arrays([d.anonymous_id for d in device_parts]),
        np.concatenate([d.device_type for d in device_parts]),
        np.concatenate([d.identified_from for d in device_parts]),
    )
    n = len(known)
    return Registry(
        known,
        _concat_records(accounts),
        _concat_records(cards),
        _concat_records(crm),
        devices,
        Decisions.concat(granted),
        np.zeros(n, bool),
        np.zeros(n, bool),
    )


# --------------------------------------------------------------------------------------------- changes


@dataclass
class Changes:
    """Known-people rows changed in a batch, and when."""

    movers: np.ndarray
    new_email: np.ndarray
    own_email: np.ndarray
    bridge: np.ndarray
    time: np.ndarray  # per known row, the instant of its change in this batch


def apply_changes(generator: Generator, registry: Registry, batch: int, state: PopulationState) -> Changes:
    """Move people, give new e-mails, let borrowers use their own e-mail (mutates the registry's people)."""
    people = registry.people
    start, end = generator.batch_window(batch)
    chosen = selections(generator, batch, people.pidx)
    rng = np.random.default_rng(np.random.SeedSequence([generator.config.seed, batch, 424_242]))
    n = len(people)
    time = uniform_times(rng, np.full(n, start), np.full(n, end - 3 * SECONDS_PER_DAY))

    movers = np.flatnonzero(chosen["movers"])
    fresh = random_addresses(rng, people.country[movers])
    for name in ("city", "street", "house_no", "house_suffix"):
        getattr(people, f"old_{name}")[movers] = getattr(people, name)[movers]
        getattr(people, name)[movers] = getattr(fresh, name)
    people.old_postcode = _assign(people.old_postcode, movers, people.postcode.take(pa.array(movers)))
    people.postcode = _assign(people.postcode, movers, fresh.postcode)
    people.moved[movers] = time[movers]

    has_email = pc.is_valid(people.email_local).to_numpy(zero_copy_only=False)
    new_email = np.flatnonzero(chosen["new_email"] & has_email)
    _give_emails(rng, people, new_email, state, keep_previous=True, when=time[new_email])
    own = np.flatnonzero(chosen["own_email"] & people.borrower & ~registry.corrected)
    without = own[~has_email[own]]
    _give_emails(rng, people, without, state, keep_previous=False, when=time[without])
    people.borrower[own] = False
    registry.corrected[own] = True

    # Bridges need both clusters' identifiers: the shop account's e-mail and a usable card phone.
    card_phone = first_value_per_person(registry.cards["person"], registry.cards["phone"], np.arange(n))
    usable_phone = pc.fill_null(pc.match_substring_regex(card_phone, _DIGITS), False).to_numpy(
        zero_copy_only=False
    )
    bridge = np.flatnonzero(chosen["bridge"] & people.split_cluster & usable_phone & ~registry.bridged)
    registry.bridged[bridge] = True
    return Changes(movers, new_email, own, bridge, time)


def _assign(values: pa.Array, rows: np.ndarray, new: pa.Array) -> pa.Array:
    if not len(rows):
        return values
    mask = np.zeros(len(values), bool)
    mask[rows] = True
    index = np.zeros(len(values), np.int64)
    index[rows] = np.arange(len(rows))
    return where(mask, new.take(pa.array(index)), values)


def _give_emails(
    rng: np.random.Generator,
    people: People,
    rows: np.ndarray,
    state: PopulationState,
    *,
    keep_previous: bool,
    when: np.ndarray,
) -> None:
    if not len(rows):
        return
    local, domain = unique_emails(
        rng,
        people.first[rows],
        people.last[rows],
        civil_from_days(people.birth[rows])[0],
        people.country[rows],
        np.ones(len(rows), bool),
        state.emails,
    )
    if keep_previous:
        people.old_email_local = _assign(
            people.old_email_local, rows, people.email_local.take(pa.array(rows))
        )
        people.old_email_domain[rows] = people.email_domain[rows]
        people.email_changed[rows] = when
    else:
        people.old_email_local = _assign(people.old_email_local, rows, local)
        people.old_email_domain[rows] = domain
    people.email_local = _assign(people.email_local, rows, local)
    people.email_domain[rows] = domain


# --------------------------------------------------------------------------------------------- batches


def iter_follow_up(generator: Generator, batch: int) -> Iterator[ChunkResult]:
    """Chunks of follow-up ``batch`` (>= 1): known people's new records first, then new people."""
    if batch < 1:
        raise ValueError(f"batch: a follow-up batch number starts at 1, got {batch}")
    base_pidx = np.arange(generator.config.people, dtype=np.int64)
    interest = np.zeros(generator.config.people, bool)
    for b in range(1, batch + 1):
        for mask in selections(generator, b, base_pidx).values():
            interest |= mask
    state = PopulationState()
    registry = build_registry(generator, interest, state)
    for earlier in range(1, batch):
        apply_changes(generator, registry, earlier, state)
        for chunk, bounds in enumerate(generator.chunk_bounds(earlier)):
            generator.new_people(earlier, chunk, bounds, state)  # only to advance e-mail/phone numbering
    changes = apply_changes(generator, registry, batch, state)
    ids = IdAllocator(batch)
    yield known_people_records(generator, registry, batch, changes, ids)
    yield from generator.iter_batch(batch, state, ids)


def known_people_records(
    generator: Generator, registry: Registry, batch: int, changes: Changes, ids: IdAllocator
) -> ChunkResult:
    """New rows about known people in ``batch``."""
    ctx = ChunkContext(generator.config, batch, 0, generator.batch_window(batch), ids, generator.offsets)
    rng = ctx.rng("follow-up/known")
    people = registry.people
    start, end = ctx.window
    n = len(people)
    chosen = selections(generator, batch, people.pidx)
    active = np.flatnonzero(chosen["active"])

    # CRM contacts: movers, new e-mails, own e-mails, bridges.
    accounts, cards = registry.accounts, registry.cards
    everyone = np.arange(n)
    shop_email = _latest(accounts, "email", everyone, end)
    card_phone = first_value_per_person(cards["person"], cards["phone"], everyone)
    contact_rows = np.concatenate(
        [
            changes.movers[rng.random(len(changes.movers)) < 0.6],
            changes.new_email[rng.random(len(changes.new_email)) < 0.5],
            changes.own_email,
            changes.bridge,
        ]
    )
    contact_time = np.minimum(
        changes.time[contact_rows] + (rng.random(len(contact_rows)) * 2 * SECONDS_PER_DAY).astype(np.int64),
        end - 1,
    )
    is_bridge = np.concatenate(
        [np.zeros(len(contact_rows) - len(changes.bridge), bool), np.ones(len(changes.bridge), bool)]
    )
    email_override = null_where(~is_bridge, shop_email.take(pa.array(contact_rows)))
    phone_override = null_where(~is_bridge, card_phone.take(pa.array(contact_rows)))
    crm = make_crm_contacts(
        ctx,
        people,
        contact_rows,
        contact_time,
        rng,
        email_override=email_override,
        phone_override=phone_override,
    )

    # New shop accounts for half of the new e-mails of account holders.
    holders = np.zeros(n, bool)
    holders[accounts["person"]] = True
    opens = changes.new_email[holders[changes.new_email] & (rng.random(len(changes.new_email)) < 0.5)]
    opened = uniform_times(rng, changes.time[opens], np.full(len(opens), end))
    customers = make_shop_customers(ctx, people, opens, opened, np.full(len(opens), 2), rng)
    all_accounts = {
        "person": np.concatenate([accounts["person"], customers.person]),
        "created": np.concatenate([accounts["created"], customers.extra["created"]]),
        "id": pa.concat_arrays([accounts["id"], customers.extra["record_id"]]),
        "email": pa.concat_arrays([accounts["email"], customers.extra["email"]]),
    }

    # Orders: active online buyers, and some movers shipping to their new address.
    online = active[holders[active] | people.guest_buyer[active]]
    movers_buying = changes.movers[holders[changes.movers] & (rng.random(len(changes.movers)) < 0.4)]
    buyers = np.concatenate([online, online[rng.random(len(online)) < 0.3], movers_buying])
    order_time = uniform_times(
        rng, np.where(np.isin(buyers, changes.movers), changes.time[buyers], start), np.full(len(buyers), end)
    )
    account_index = latest_index_before(all_accounts["person"], all_accounts["created"], buyers, order_time)
    has_account = account_index >= 0
    safe = pa.array(np.maximum(account_index, 0))
    customer_id = (
        null_where(~has_account, all_accounts["id"].take(safe))
        if len(all_accounts["id"])
        else pa.nulls(len(buyers), STRING)
    )
    typed = typed_email(
        people, buyers, order_time, rng, email_noise(generator.config.noise, 1.0, gmail=1.5, junk=2.5)
    )
    email = where(has_account, all_accounts["email"].take(safe), typed) if len(all_accounts["id"]) else typed
    orders, order_lines = make_orders(
        ctx, people, buyers, order_time, customer_id, email, rng, generator.catalog
    )

    # Store receipts of active store buyers, with their current card.
    shoppers = active[people.pos_buyer[active]]
    shoppers = np.concatenate([shoppers, shoppers[rng.random(len(shoppers)) < 0.4]])
    days = uniform_times(rng, np.full(len(shoppers), start), np.full(len(shoppers), end)) // SECONDS_PER_DAY
    card_index = latest_index_before(
        cards["person"], cards["created"], shoppers, days * SECONDS_PER_DAY + 86_399
    )
    card = (
        null_where(card_index < 0, cards["id"].take(pa.array(np.maximum(card_index, 0))))
        if len(cards["id"])
        else pa.nulls(len(shoppers), STRING)
    )
    pos, pos_lines = make_pos(ctx, people, shoppers, days, card, rng, generator.catalog)

    # Web: active visitors browse again on their devices (some on a new one); orders get their sessions.
    events, devices, new_devices = _web_follow_up(ctx, registry, active, orders, all_accounts, generator, rng)

    tickets = active[people.support[active] & (rng.random(len(active)) < 0.3)]
    support = make_tickets(
        ctx,
        people,
        tickets,
        uniform_times(rng, np.full(len(tickets), start), np.full(len(tickets), end)),
        rng,
    )

    # Consent: some granted consents are withdrawn, against the same subject and channel.
    granted = registry.granted
    withdraw = np.flatnonzero(chosen["withdraw"][granted.person])
    decisions = Decisions(
        granted.person[withdraw],
        granted.channel[withdraw],
        np.zeros(len(withdraw), bool),
        granted.subject_type[withdraw],
        granted.subject_value.take(pa.array(withdraw)),
        uniform_times(rng, np.full(len(withdraw), start), np.full(len(withdraw), end)),
        np.where(rng.random(len(withdraw)) < 0.7, 1, 0),
    )
    consent = render_consent(ctx, people, decisions, rng)

    erasing = np.flatnonzero(chosen["erasure"])
    identifiers = {
        "email": (everyone, _current_emails(people, end, rng)),
        "phone": (
            everyone,
            render_phones(
                people.mobile, people.country, "mobile", rng, TYPED_PHONE_STYLES, impossible=0, junk=0
            ),
        ),
        "crm_contact_id": (registry.crm["person"], registry.crm["id"]),
        "shop_customer_id": (all_accounts["person"], all_accounts["id"]),
        "loyalty_card_id": (cards["person"], cards["id"]),
    }
    erasure = make_erasure_requests(ctx, people, erasing, identifiers, rng)

    rows = {
        r.table: r
        for r in (crm, customers, orders, order_lines, pos, pos_lines, support, events, consent, erasure)
    }
    tables = {name: rows[name].to_table() for name in TABLE_COLUMNS if name in rows}
    tables["ads_spend"] = generator.ads_spend(batch)
    truth = truth_table(list(rows.values()), devices, people, new_devices)
    logger.info(
        "follow-up %d: %d active known people, %d movers, %d new e-mails, %d own e-mails, %d bridges, "
        "%d withdrawals",
        batch,
        len(active),
        len(changes.movers),
        len(changes.new_email),
        len(changes.own_email),
        len(changes.bridge),
        len(withdraw),
    )
    return ChunkResult(
        batch=batch,
        chunk=-1,
        tables=tables,
        truth=truth,
        rows=rows,
        people=people,
        devices=devices,
        decisions=decisions,
    )


def _latest(records: dict[str, object], key: str, rows: np.ndarray, seconds: int) -> pa.Array:
    index = latest_index_before(records["person"], records["created"], rows, np.full(len(rows), seconds))
    if not len(records["id"]):
        return pa.nulls(len(rows), STRING)
    return null_where(index < 0, records[key].take(pa.array(np.maximum(index, 0))))


def _current_emails(people: People, seconds: int, rng: np.random.Generator) -> pa.Array:
    local, domain = people.email_at(np.arange(len(people)), np.full(len(people), seconds))
    return render_emails(
        local,
        domain,
        rng,
        case=0.2,
        whitespace=0.0,
        gmail_variant=0.0,
        domain_typo=0.0,
        malformed=0.0,
        junk=0.0,
    )


def _web_follow_up(
    ctx: ChunkContext,
    registry: Registry,
    active: np.ndarray,
    orders: SourceRows,
    accounts: dict[str, object],
    generator: Generator,
    rng: np.random.Generator,
) -> tuple[SourceRows, Devices, np.ndarray]:
    people = registry.people
    known = registry.devices
    start, end = ctx.window
    visitors = active[people.web_visitor[active]]
    new_device_rows = np.concatenate(
        [visitors[rng.random(len(visitors)) < 0.15], orders.person[~np.isin(orders.person, known.person)]]
    )
    new_device_rows = np.unique(new_device_rows)
    fresh = make_devices(ctx, new_device_rows, rng)
    person = np.concatenate([known.person, fresh.person])
    order = np.argsort(person, kind="stable")
    devices = Devices(
        person[order],
        pa.concat_arrays([known.anonymous_id, fresh.anonymous_id]).take(pa.array(order)),
        np.concatenate([known.device_type, fresh.device_type])[order],
        np.concatenate([known.identified_from, fresh.identified_from])[order],
    )
    new_devices = np.concatenate([np.zeros(len(known.person), bool), np.ones(len(fresh.person), bool)])[order]
    browsers = visitors[expand_counts(rng, len(visitors))]
    browse_device = random_device_of(devices, browsers, rng)
    order_device = random_device_of(devices, orders.person, rng)
    guest = pc.is_null(orders.extra["customer_id"]).to_numpy(zero_copy_only=False)
    nb, no = len(browse_device), len(order_device)
    sessions = Sessions(
        device=np.concatenate([browse_device, order_device]),
        kind=np.concatenate([np.full(nb, BROWSE), np.where(guest, ORDER_GUEST, ORDER_ACCOUNT)]),
        time=np.concatenate([uniform_times(rng, np.full(nb, start), np.full(nb, end)), orders.extra["time"]]),
        login=np.concatenate(
            [people.has_account[browsers] & (rng.random(nb) < 0.25), ~guest & (rng.random(no) < 0.5)]
        ),
        form_email=pa.concat_arrays([pa.nulls(nb, STRING), null_where(~guest, orders.extra["email"])]),
        order_id=pa.concat_arrays([pa.nulls(nb, STRING), orders.extra["record_id"]]),
        product=np.concatenate([np.full(nb, -1), orders.extra["first_product"]]),
    )
    account_tuple = (accounts["person"], accounts["created"], accounts["id"])
    events = make_web_events(
        ctx, people, devices, sessions, account_tuple, generator.catalog, generator.campaigns, rng
    )
    # Only devices that show up in this batch's events need truth rows.
    seen = np.zeros(len(devices.person), bool)
    seen[events.extra["device"]] = True
    return events, devices, new_devices & seen


def expand_counts(rng: np.random.Generator, n: int) -> np.ndarray:
    """Owners of 1-3 browse sessions each."""
    return np.repeat(np.arange(n), pick(rng, n, (60, 30, 10)) + 1)
