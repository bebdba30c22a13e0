"""Consent decisions and RGPD erasure requests.

Consent events name the person by an identifier exactly as the collecting system stored it (the e-mail as
typed in the shop, the loyalty card number, the CRM contact id, ...). Later decisions override earlier
ones: some people grant, then withdraw, then grant again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .context import ChunkContext, SourceRows, uniform_times
from .noise import SECONDS_PER_DAY, TYPED_PHONE_STYLES, render_emails, render_phones, render_timestamps
from .people import People
from .text import STRING, by_variant, null_where, pick, strings, take, where

CHANNELS = ("email", "sms", "phone", "ads_personalisation")
EMAIL, SMS, PHONE, ADS = range(4)
_CHANNEL_SPELLINGS = (
    (("email", 55), ("E-mail", 15), ("Email", 12), ("EMAIL", 8), ("e-mail", 5), ("mail", 5)),
    (("sms", 60), ("SMS", 35), ("Sms", 5)),
    (("phone", 55), ("Téléphone", 20), ("telephone", 10), ("tel", 10), ("PHONE", 5)),
    (("ads_personalisation", 60), ("ads", 20), ("Ads Personalisation", 10), ("advertising", 10)),
)
_GRANTED = (("granted", 50), ("opt-in", 20), ("yes", 12), ("subscribed", 10), ("GRANTED", 4), ("Opt-in", 4))
_WITHDRAWN = (
    ("withdrawn", 50),
    ("opt-out", 20),
    ("no", 12),
    ("unsubscribed", 10),
    ("WITHDRAWN", 4),
    ("Opt-out", 4),
)
SUBJECT_TYPES = ("email", "phone", "crm_contact_id", "shop_customer_id", "loyalty_card_id")
COLLECTED_VIA = ("website_form", "preference_center", "crm", "store", "import")
CONSENT_TIMESTAMPS = {"iso_z": 60, "iso_offset": 30, "naive_utc": 10}
#: Status words that mean "granted" (for consumers and tests).
GRANTED_WORDS = frozenset(w.lower() for w, _ in _GRANTED)
WITHDRAWN_WORDS = frozenset(w.lower() for w, _ in _WITHDRAWN)


@dataclass
class Decisions:
    """Consent decisions before rendering: who, about which channel, through which identifier, when."""

    person: np.ndarray
    channel: np.ndarray
    granted: np.ndarray
    subject_type: np.ndarray
    subject_value: pa.Array
    time: np.ndarray
    via: np.ndarray

    @staticmethod
    def concat(parts: list[Decisions]) -> Decisions:
        return Decisions(
            *(
                pa.concat_arrays([getattr(p, f) for p in parts])
                if f == "subject_value"
                else np.concatenate([getattr(p, f) for p in parts])
                for f in ("person", "channel", "granted", "subject_type", "subject_value", "time", "via")
            )
        )


def _decisions(person, channel, granted, subject_type, subject_value, time, via) -> Decisions:
    n = len(person)
    as_array = lambda v: np.full(n, v) if np.isscalar(v) else np.asarray(v)  # noqa: E731
    return Decisions(
        np.asarray(person),
        as_array(channel),
        as_array(granted).astype(bool),
        as_array(subject_type),
        subject_value,
        np.asarray(time, dtype=np.int64),
        as_array(via),
    )


def initial_decisions(
    ctx: ChunkContext,
    people: People,
    crm: SourceRows,
    customers: SourceRows,
    loyalty: SourceRows,
    newsletter: tuple[np.ndarray, pa.Array, np.ndarray],
) -> Decisions:
    """Decisions collected when records were created: sign-up box, store enrolment, CRM forms, newsletter."""
    rng = ctx.rng("consent")
    parts: list[Decisions] = []
    # Shop sign-up: the newsletter box, recorded against the account or the e-mail typed.
    c = customers
    by_id = rng.random(len(c)) < 0.5
    parts.append(
        _decisions(
            c.person,
            EMAIL,
            c.extra["accepts"],
            np.where(by_id, 3, 0),
            where(by_id, c.extra["record_id"], c.extra["email"]),
            c.extra["created"],
            0,
        )
    )
    # Cookie banner of logged-in customers: ads personalisation.
    cmp = rng.random(len(c)) < 0.4
    rows = np.flatnonzero(cmp)
    parts.append(
        _decisions(
            c.person[rows],
            ADS,
            rng.random(len(rows)) < 0.65,
            3,
            c.extra["record_id"].take(pa.array(rows)),
            c.extra["created"][rows] + 60,
            0,
        )
    )
    # Store enrolment: e-mail and SMS boxes on the card form.
    m = loyalty
    for channel in (EMAIL, SMS):
        parts.append(
            _decisions(
                m.person, channel, rng.random(len(m)) < 0.6, 4, m.extra["record_id"], m.extra["created"], 3
            )
        )
    # CRM: opt-in captured by sales/marketing forms or imported.
    k = crm
    rows = np.flatnonzero(rng.random(len(k)) < 0.5)
    by_id = rng.random(len(rows)) < 0.5
    value = where(by_id, k.extra["record_id"].take(pa.array(rows)), k.extra["email"].take(pa.array(rows)))
    has_value = pc.is_valid(value).to_numpy(zero_copy_only=False)
    rows, by_id, value = rows[has_value], by_id[has_value], value.filter(pa.array(has_value))
    parts.append(
        _decisions(
            k.person[rows],
            EMAIL,
            rng.random(len(rows)) < 0.55,
            np.where(by_id, 2, 0),
            value,
            k.extra["created"][rows] + 120,
            np.where(rng.random(len(rows)) < 0.6, 2, 4),
        )
    )
    # Phone marketing consent against the phone as typed in the CRM.
    phone = k.extra["phone"]
    rows = np.flatnonzero(pc.is_valid(phone).to_numpy(zero_copy_only=False) & (rng.random(len(k)) < 0.15))
    parts.append(
        _decisions(
            k.person[rows],
            PHONE,
            rng.random(len(rows)) < 0.5,
            1,
            phone.take(pa.array(rows)),
            k.extra["created"][rows] + 180,
            2,
        )
    )
    # Newsletter sign-up forms on the site: the e-mail as typed in the form.
    subscriber, typed, when = newsletter
    parts.append(_decisions(subscriber, EMAIL, True, 0, typed, when, 0))
    decisions = Decisions.concat(parts)
    keep = decisions.person >= 0
    return _select(decisions, np.flatnonzero(keep))


def _select(d: Decisions, rows: np.ndarray) -> Decisions:
    return Decisions(
        d.person[rows],
        d.channel[rows],
        d.granted[rows],
        d.subject_type[rows],
        d.subject_value.take(pa.array(rows)),
        d.time[rows],
        d.via[rows],
    )


def later_changes(ctx: ChunkContext, decisions: Decisions, rng: np.random.Generator) -> Decisions:
    """Withdrawals of some grants (and re-grants of some withdrawals) later in the period."""
    volume = ctx.config.volume
    _, end = ctx.window
    withdraw = decisions.granted & (rng.random(len(decisions.person)) < volume.consent_withdrawal)
    rows = np.flatnonzero(withdraw & (decisions.time < end - SECONDS_PER_DAY))
    withdrawals = _select(decisions, rows)
    withdrawals.granted = np.zeros(len(rows), bool)
    withdrawals.time = uniform_times(rng, withdrawals.time + 3600, np.full(len(rows), end))
    withdrawals.via = np.where(rng.random(len(rows)) < 0.7, 1, 0)
    regrant = np.flatnonzero(
        (rng.random(len(rows)) < volume.consent_regrant) & (withdrawals.time < end - SECONDS_PER_DAY)
    )
    regrants = _select(withdrawals, regrant)
    regrants.granted = np.ones(len(regrant), bool)
    regrants.time = uniform_times(rng, regrants.time + 3600, np.full(len(regrant), end))
    return Decisions.concat([withdrawals, regrants])


def render_consent(
    ctx: ChunkContext, people: People, decisions: Decisions, rng: np.random.Generator
) -> SourceRows:
    # Decisions follow record creation by a few minutes; none may fall after the batch's end.
    decisions.time = np.minimum(decisions.time, ctx.window[1] - 1)
    order = np.lexsort((decisions.channel, decisions.person, decisions.time))
    d = _select(decisions, order)
    n = len(d.person)
    channel_text = by_variant(
        d.channel,
        [
            (
                lambda rows, spellings=spellings: take(
                    strings([w for w, _ in spellings]), pick(rng, len(rows), [p for _, p in spellings])
                )
            )
            for spellings in _CHANNEL_SPELLINGS
        ],
    )
    granted_words = take(strings([w for w, _ in _GRANTED]), pick(rng, n, [p for _, p in _GRANTED]))
    withdrawn_words = take(strings([w for w, _ in _WITHDRAWN]), pick(rng, n, [p for _, p in _WITHDRAWN]))
    consent_id = ctx.ids.record_ids("consent_events", n)
    return SourceRows(
        "consent_events",
        {
            "consent_event_id": consent_id,
            "subject_type": take(strings(SUBJECT_TYPES), d.subject_type),
            "subject_value": d.subject_value,
            "channel": channel_text,
            "status": where(d.granted, granted_words, withdrawn_words),
            "occurred_at": render_timestamps(
                d.time, people.zone[d.person], ctx.offsets, rng, CONSENT_TIMESTAMPS
            ),
            "collected_via": take(strings(COLLECTED_VIA), d.via),
        },
        d.person,
        people.person_id.take(pa.array(d.person)),
        {"record_id": consent_id, "decisions": d},
    )


# --------------------------------------------------------------------------------------------- erasure


def first_value_per_person(owner: np.ndarray, values: pa.Array, rows: np.ndarray) -> pa.Array:
    """For each person row in ``rows``: the first non-null value among ``values`` owned by it, else null."""
    valid = np.flatnonzero((owner >= 0) & pc.is_valid(values).to_numpy(zero_copy_only=False))
    if not len(valid):
        return pa.nulls(len(rows), STRING)
    order = valid[np.argsort(owner[valid], kind="stable")]
    unique_owner, first_index = np.unique(owner[order], return_index=True)
    position = np.minimum(np.searchsorted(unique_owner, rows), len(unique_owner) - 1)
    found = unique_owner[position] == rows
    return null_where(~found, values.take(pa.array(order[first_index][position])))


def make_erasure_requests(
    ctx: ChunkContext,
    people: People,
    rows: np.ndarray,
    identifiers: dict[str, tuple[np.ndarray, pa.Array]],
    rng: np.random.Generator,
) -> SourceRows:
    """Requests naming the person by one identifier they have: e-mail, phone, CRM/shop/loyalty id.

    ``identifiers[subject_type] = (owner person rows, values)``; the first value of the person is quoted.
    """
    _, end = ctx.window
    weights = {"email": 50, "phone": 10, "crm_contact_id": 10, "shop_customer_id": 15, "loyalty_card_id": 15}
    values = [first_value_per_person(*identifiers[subject], rows) for subject in SUBJECT_TYPES]
    score = np.stack(
        [
            np.where(
                pc.is_valid(v).to_numpy(zero_copy_only=False),
                weights[subject] * (0.01 + rng.random(len(rows))),
                0.0,
            )
            for v, subject in zip(values, SUBJECT_TYPES, strict=True)
        ]
    )
    usable = score.max(axis=0) > 0  # people with no identifier at all cannot be named
    subject = np.argmax(score, axis=0)[usable]
    rows = rows[usable]
    value = by_variant(
        subject, [(lambda r, v=v: v.filter(pa.array(usable)).take(pa.array(r))) for v in values]
    )
    m = len(rows)
    requested = uniform_times(
        rng, np.maximum(people.since[rows], end - 200 * SECONDS_PER_DAY), np.full(m, end)
    )
    order = np.lexsort((rows, requested))
    rows, subject, requested = rows[order], subject[order], requested[order]
    value = value.take(pa.array(order))
    request_id = ctx.ids.record_ids("privacy_erasure_requests", m)
    return SourceRows(
        "privacy_erasure_requests",
        {
            "request_id": request_id,
            "subject_type": take(strings(SUBJECT_TYPES), subject),
            "subject_value": value,
            "requested_at": render_timestamps(
                requested, people.zone[rows], ctx.offsets, rng, {"iso_z": 80, "naive_utc": 20}
            ),
            "received_via": take(
                strings(("email", "web_form", "letter", "store")), pick(rng, m, (40, 35, 10, 15))
            ),
        },
        rows,
        people.person_id.take(pa.array(rows)),
        {"record_id": request_id},
    )


def erasure_identifiers(
    ctx: ChunkContext,
    people: People,
    crm: SourceRows,
    customers: SourceRows,
    loyalty: SourceRows,
    rng: np.random.Generator,
) -> dict[str, tuple[np.ndarray, pa.Array]]:
    """Identifiers people quote in requests: their own e-mail and phone as they write them, or a record id."""
    everyone = np.arange(len(people))
    _, end = ctx.window
    local, domain = people.email_at(everyone, np.full(len(people), end))
    email = render_emails(
        local,
        domain,
        rng,
        case=0.2,
        whitespace=0.02,
        gmail_variant=0.0,
        domain_typo=0.0,
        malformed=0.0,
        junk=0.0,
    )
    phone = render_phones(
        people.mobile, people.country, "mobile", rng, TYPED_PHONE_STYLES, impossible=0, junk=0
    )
    return {
        "email": (everyone, email),
        "phone": (everyone, phone),
        "crm_contact_id": (crm.person, crm.extra["record_id"]),
        "shop_customer_id": (customers.person, customers.extra["record_id"]),
        "loyalty_card_id": (loyalty.person, loyalty.extra["record_id"]),
    }
