"""Record builders for the CRM, the online shop, the loyalty programme, the tills and the help desk.

Each builder draws which records a person has, when, and renders their fields from the person's true values
through the noise renderers, at rates that depend on who typed the data (the customer in a form, store
staff, a platform that validates input).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import pools
from .catalog import Catalog
from .config import NoiseRates
from .context import ChunkContext, SourceRows, expand, geometric_counts, human_times, uniform_times
from .noise import (
    FORM_CITY_SLOTS,
    FORM_COUNTRY_SLOTS,
    ISO_COUNTRY_SLOTS,
    PLATFORM_PHONE_STYLES,
    SECONDS_PER_DAY,
    STAFF_CITY_SLOTS,
    STREET_FORM_SLOTS,
    TYPED_DATE_FORMATS,
    TYPED_PHONE_STYLES,
    blank,
    format_naive,
    render_cities,
    render_countries,
    render_dates,
    render_emails,
    render_money,
    render_names,
    render_phones,
    render_postcodes,
    render_streets,
    render_timestamps,
    replace_some,
)
from .people import People
from .reference import reference
from .text import (
    STRING,
    by_variant,
    fixed_format,
    int_to_strings,
    join,
    null_where,
    pick,
    repeat,
    strings,
    take,
    where,
)

#: Timestamp format mixes per system (see noise.TIMESTAMP_FORMATS).
CRM_TIMESTAMPS = {"iso_z": 40, "iso_offset": 30, "naive_utc": 20, "fr_utc": 10}
SHOP_TIMESTAMPS = {"iso_offset": 55, "iso_z": 35, "naive_utc": 10}
SUPPORT_TIMESTAMPS = {"iso_z": 70, "iso_offset": 20, "naive_utc": 10}
MONEY_SHOP = {"dot": 75, "short": 8, "fr_symbol": 7, "comma": 5, "code": 3, "symbol": 2}
MONEY_TILL = {"comma": 58, "dot": 30, "fr_symbol": 8, "short": 4}


# --------------------------------------------------------------------------------------------- noise presets


def name_noise(noise: NoiseRates, typing: float = 1.0) -> dict[str, float]:
    """Name noise rates; ``typing`` scales accents/case/typo rates (store staff > customers > platforms)."""
    return {
        "no_accents": min(0.6, noise.name_no_accents * typing),
        "upper": min(0.7, noise.name_upper * typing),
        "lower": noise.name_lower,
        "typo": min(0.2, noise.name_typo * typing),
        "particle": noise.name_particle_variant,
    }


def email_noise(
    noise: NoiseRates, typing: float = 1.0, *, gmail: float = 1.0, malformed: float = 1.0, junk: float = 1.0
) -> dict[str, float]:
    """E-mail noise rates; validated sources pass ``malformed=0``, self-service ones more gmail variants."""
    return {
        "case": min(0.5, noise.email_case * typing),
        "whitespace": min(0.3, noise.email_whitespace * typing),
        "gmail_variant": min(1.0, noise.email_gmail_variant * gmail),
        "domain_typo": min(0.2, noise.email_domain_typo * typing),
        "malformed": min(0.2, noise.email_malformed * malformed),
        "junk": min(0.2, noise.email_junk * junk),
    }


def _salutations(people: People, rows: np.ndarray, rng: np.random.Generator) -> pa.Array:
    slot = rng.integers(0, 4, len(rows))
    return take(reference().salutations, (people.country[rows] * 2 + people.gender[rows]) * 4 + slot)


def _truth_ids(people: People, rows: np.ndarray) -> pa.Array:
    return people.person_id.take(pa.array(rows))


def typed_email(
    people: People,
    rows: np.ndarray,
    seconds: np.ndarray,
    rng: np.random.Generator,
    rates: dict[str, float],
    borrowed_share: float = 0.0,
) -> pa.Array:
    """The e-mail a person gave at ``seconds``; relatives sharing a mailbox sometimes give the head's."""
    local, domain = people.email_at(rows, seconds)
    if borrowed_share > 0:
        borrow = people.borrower[rows] & (rng.random(len(rows)) < borrowed_share)
        local = where(borrow, people.borrowed_email_local.take(pa.array(rows)), local)
        domain = np.where(borrow, people.borrowed_email_domain[rows], domain)
    return render_emails(local, domain, rng, **rates)


def _main_phone(
    people: People, rows: np.ndarray, rng: np.random.Generator, prefer_mobile: float
) -> tuple[pa.Array, np.ndarray]:
    """A person's phone as NSN: the mobile (or the landline when preferred/when there is no mobile)."""
    mobile = people.mobile.take(pa.array(rows))
    landline = people.landline.take(pa.array(rows))
    use_mobile = (rng.random(len(rows)) < prefer_mobile) & pc.is_valid(mobile).to_numpy(zero_copy_only=False)
    use_mobile |= pc.is_null(landline).to_numpy(zero_copy_only=False)
    kind = np.where(use_mobile, 0, 1)
    return where(use_mobile, mobile, landline), kind


def render_any_phone(
    nsn: pa.Array,
    kind: np.ndarray,
    country: np.ndarray,
    rng: np.random.Generator,
    styles: dict[str, float],
    noise: NoiseRates,
) -> pa.Array:
    """Render mobiles and landlines (each with its own numbering plan) in one column."""
    mobile = render_phones(
        nsn, country, "mobile", rng, styles, impossible=noise.phone_impossible, junk=noise.phone_junk
    )
    landline = render_phones(
        nsn, country, "landline", rng, styles, impossible=noise.phone_impossible, junk=noise.phone_junk
    )
    return where(kind == 0, mobile, landline)


def _address_columns(
    ctx: ChunkContext,
    people: People,
    rows: np.ndarray,
    seconds: np.ndarray,
    rng: np.random.Generator,
    *,
    street_slots=STREET_FORM_SLOTS,
    city_slots=FORM_CITY_SLOTS,
    country_slots=FORM_COUNTRY_SLOTS,
    present: float = 0.9,
) -> dict[str, pa.Array]:
    noise = ctx.config.noise
    address = people.address_at(rows, seconds)
    country = people.country[rows]
    missing = rng.random(len(rows)) >= present
    street = render_streets(
        address.street, address.house_no, address.house_suffix, country, rng, street_slots
    )
    return {
        "street": null_where(missing, street),
        "postcode": null_where(
            missing, render_postcodes(address.postcode, country, rng, lost_zero=noise.postcode_lost_zero)
        ),
        "city": null_where(missing, render_cities(address.city, rng, city_slots)),
        "country": blank(render_countries(country, rng, country_slots), rng, 0.08, noise.missing_token),
    }


def _sorted(rows: np.ndarray, seconds: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    """Order records by time so that ids increase with creation time, as in real systems."""
    order = np.lexsort((rows, seconds))
    return (rows[order], seconds[order], *(o[order] for o in others))


# --------------------------------------------------------------------------------------------- CRM


def make_crm_contacts(
    ctx: ChunkContext,
    people: People,
    rows: np.ndarray,
    created: np.ndarray,
    rng: np.random.Generator,
    *,
    email_override: pa.Array | None = None,
    phone_override: pa.Array | None = None,
) -> SourceRows:
    """CRM contacts for ``rows`` (persons) created at ``created``; overrides carry values seen elsewhere."""
    noise = ctx.config.noise
    n = len(rows)
    order = np.lexsort((rows, created))
    rows, created = rows[order], created[order]
    email_override = email_override.take(pa.array(order)) if email_override is not None else None
    phone_override = phone_override.take(pa.array(order)) if phone_override is not None else None
    _, end = ctx.window
    contact_id = ctx.ids.record_ids("crm_contacts", n)
    email = typed_email(people, rows, created, rng, email_noise(noise), borrowed_share=0.5)
    email = blank(email, rng, 0.08, noise.missing_token)
    if email_override is not None:
        email = pc.coalesce(email_override, email)
    first = replace_some(
        render_names(reference().first, people.first[rows], rng, **name_noise(noise)),
        rng,
        noise.name_junk,
        pools.JUNK_NAMES,
    )
    last = replace_some(
        render_names(reference().last, people.last[rows], rng, **name_noise(noise)),
        rng,
        noise.name_junk,
        pools.JUNK_NAMES,
    )
    country = people.country[rows]
    landline = people.landline.take(pa.array(rows))
    has_landline = pc.is_valid(landline).to_numpy(zero_copy_only=False)
    phone_nsn = where(
        has_landline, landline, null_where(rng.random(n) < 0.6, people.mobile.take(pa.array(rows)))
    )
    phone = render_any_phone(phone_nsn, np.where(has_landline, 1, 0), country, rng, TYPED_PHONE_STYLES, noise)
    phone = blank(phone, rng, 0.05, noise.missing_token)
    if phone_override is not None:
        phone = pc.coalesce(phone_override, phone)
    mobile = render_phones(
        people.mobile.take(pa.array(rows)),
        country,
        "mobile",
        rng,
        TYPED_PHONE_STYLES,
        impossible=noise.phone_impossible,
        junk=noise.phone_junk,
    )
    mobile = blank(mobile, rng, 0.3, noise.missing_token)
    birth = null_where(
        rng.random(n) > 0.45,
        render_dates(people.birth[rows], rng, TYPED_DATE_FORMATS, impossible=noise.date_impossible),
    )
    address = _address_columns(ctx, people, rows, created, rng, present=0.8)
    language = take(reference().languages, country * 6 + pick(rng, n, (50, 15, 8, 12, 8, 7)))
    updated = uniform_times(rng, created, np.minimum(created + 400 * SECONDS_PER_DAY, end))
    zone = people.zone[rows]
    return SourceRows(
        "crm_contacts",
        {
            "contact_id": contact_id,
            "salutation": null_where(rng.random(n) < 0.25, _salutations(people, rows, rng)),
            "first_name": first,
            "last_name": last,
            "email": email,
            "phone": phone,
            "mobile_phone": mobile,
            "birth_date": birth,
            "street_address": address["street"],
            "postal_code": address["postcode"],
            "city": address["city"],
            "country": address["country"],
            "language": null_where(rng.random(n) < 0.4, language),
            "created_at": render_timestamps(created, zone, ctx.offsets, rng, CRM_TIMESTAMPS),
            "updated_at": render_timestamps(updated, zone, ctx.offsets, rng, CRM_TIMESTAMPS),
        },
        rows,
        _truth_ids(people, rows),
        {"record_id": contact_id, "email": email, "phone": phone, "created": created},
    )


def build_crm(ctx: ChunkContext, people: People) -> SourceRows:
    rng = ctx.rng("crm")
    _, end = ctx.window
    persons = np.flatnonzero(people.in_crm)
    duplicate = persons[rng.random(len(persons)) < ctx.config.presence.crm_duplicate]
    first_created = uniform_times(rng, people.since[persons], end)
    later = uniform_times(rng, first_created[np.searchsorted(persons, duplicate)], end)
    rows = np.concatenate([persons, duplicate])
    created = np.concatenate([first_created, later])
    return make_crm_contacts(ctx, people, rows, created, rng)


# --------------------------------------------------------------------------------------------- shop


def build_shop_customers(ctx: ChunkContext, people: People) -> SourceRows:
    """Shop accounts; a person whose e-mail changed may open a second account with the new address."""
    rng = ctx.rng("shop_customers")
    _, end = ctx.window
    presence = ctx.config.presence
    holders = np.flatnonzero(people.has_account)
    created = people.since[holders] + (rng.exponential(20, len(holders)) * SECONDS_PER_DAY).astype(np.int64)
    # Redraw (rather than clip) sign-ups that would fall after the end: no pile-up on the last second.
    late = created >= end
    created[late] = uniform_times(rng, people.since[holders][late], np.full(int(late.sum()), end))
    changed = people.email_changed[holders]
    second = (
        (changed < end)
        & (created < changed)
        & (rng.random(len(holders)) < presence.second_account_after_email_change)
    )
    second_created = uniform_times(rng, changed[second], end)
    rows = np.concatenate([holders, holders[second]])
    times = np.concatenate([created, second_created])
    rank = np.concatenate([np.ones(len(holders), np.int64), np.full(int(second.sum()), 2)])
    return make_shop_customers(ctx, people, rows, times, rank, rng)


def make_shop_customers(
    ctx: ChunkContext,
    people: People,
    rows: np.ndarray,
    created: np.ndarray,
    rank: np.ndarray,
    rng: np.random.Generator,
    *,
    email_override: pa.Array | None = None,
) -> SourceRows:
    noise = ctx.config.noise
    _, end = ctx.window
    n = len(rows)
    order = np.lexsort((rows, created))
    rows, created, rank = rows[order], created[order], rank[order]
    if email_override is not None:
        email_override = email_override.take(pa.array(order))
    customer_id = ctx.ids.record_ids("shop_customers", n)
    # Platforms validate the address format: no malformed or junk values, fewer slips.
    email = typed_email(people, rows, created, rng, email_noise(noise, 0.5, gmail=1.5, malformed=0, junk=0))
    if email_override is not None:
        email = pc.coalesce(email_override, email)
    nsn, kind = _main_phone(people, rows, rng, prefer_mobile=0.9)
    phone = render_any_phone(nsn, kind, people.country[rows], rng, PLATFORM_PHONE_STYLES, noise)
    phone = null_where((rng.random(n) > 0.55) | people.split_cluster[rows], phone)
    accepts = rng.random(n) < 0.45
    accepts_text = take(
        strings(("true", "false", "yes", "no", "1", "0", "oui", "non", "TRUE", "FALSE")),
        _boolean_slot(rng, accepts),
    )
    address = _address_columns(ctx, people, rows, created, rng, country_slots=ISO_COUNTRY_SLOTS, present=0.85)
    updated = uniform_times(rng, created, end)
    zone = people.zone[rows]
    shop_names = name_noise(noise, 0.5)
    return SourceRows(
        "shop_customers",
        {
            "customer_id": customer_id,
            "email": email,
            "first_name": render_names(reference().first, people.first[rows], rng, **shop_names),
            "last_name": render_names(reference().last, people.last[rows], rng, **shop_names),
            "phone": phone,
            "birth_date": null_where(
                rng.random(n) > 0.2,
                render_dates(people.birth[rows], rng, {"iso": 90, "dmy_slash": 10}, impossible=0),
            ),
            "street_address": address["street"],
            "postal_code": address["postcode"],
            "city": address["city"],
            "country_code": address["country"],
            "accepts_marketing": accepts_text,
            "created_at": render_timestamps(created, zone, ctx.offsets, rng, SHOP_TIMESTAMPS),
            "updated_at": render_timestamps(updated, zone, ctx.offsets, rng, SHOP_TIMESTAMPS),
        },
        rows,
        _truth_ids(people, rows),
        {
            "record_id": customer_id,
            "email": email,
            "phone": phone,
            "created": created,
            "accepts": accepts,
            "rank": rank,
        },
    )


def _boolean_slot(rng: np.random.Generator, value: np.ndarray) -> np.ndarray:
    """Index into (true,false, yes,no, 1,0, oui,non, TRUE,FALSE) for each boolean."""
    spelling = pick(rng, len(value), (60, 12, 15, 8, 5))
    return spelling * 2 + (~np.asarray(value, dtype=bool)).astype(np.int64)


def build_shop_orders(
    ctx: ChunkContext, people: People, customers: SourceRows, catalog: Catalog
) -> tuple[SourceRows, SourceRows]:
    """Account orders (between account creation and the next account) and guest checkouts."""
    rng = ctx.rng("shop_orders")
    volume = ctx.config.volume
    _, end = ctx.window
    account_rows = customers.person
    created = customers.extra["created"]
    # An account is used until the person opens their next one.
    next_created = np.full(len(account_rows), end, dtype=np.int64)
    order = np.lexsort((created, account_rows))
    same_person = account_rows[order][1:] == account_rows[order][:-1]
    next_created[order[:-1][same_person]] = created[order][1:][same_person]
    counts = geometric_counts(rng, len(account_rows), volume.orders_per_account)
    # Accounts opened in the last hour of the period (or of their use) have no order yet.
    account = expand(np.where(created + 3600 < next_created, counts, 0))
    account_times = human_times(
        rng, created[account] + 3600, next_created[account], people.zone[account_rows[account]], ctx.offsets
    )
    guests = np.flatnonzero(people.guest_buyer)
    guest = expand(geometric_counts(rng, len(guests), volume.guest_orders))
    guest_rows = guests[guest]
    guest_times = human_times(
        rng, people.since[guest_rows], np.full(len(guest_rows), end), people.zone[guest_rows], ctx.offsets
    )
    # Guests type their e-mail at checkout; account orders copy the account's e-mail.
    typed = typed_email(
        people,
        guest_rows,
        guest_times,
        rng,
        email_noise(ctx.config.noise, 1.0, gmail=1.5, malformed=0.5, junk=2.5),
    )
    rows = np.concatenate([account_rows[account], guest_rows])
    times = np.concatenate([account_times, guest_times])
    customer_id = pa.concat_arrays(
        [customers.extra["record_id"].take(pa.array(account)), pa.nulls(len(guest_rows), STRING)]
    )
    email = pa.concat_arrays([customers.extra["email"].take(pa.array(account)), typed])
    return make_orders(ctx, people, rows, times, customer_id, email, rng, catalog)


def _currency(people: People, rows: np.ndarray) -> np.ndarray:
    codes = np.array([pools.CURRENCY_INDEX[pools.COUNTRY_CURRENCY[c]] for c in pools.COUNTRIES])
    return codes[people.country[rows]]


def _lines(
    rng: np.random.Generator,
    catalog: Catalog,
    count: int,
    mean: float,
    currency: np.ndarray,
    allow_returns: bool,
) -> dict[str, np.ndarray]:
    """Lines of ``count`` baskets: owner basket, product, quantity, unit price (cents, basket currency)."""
    per_basket = np.minimum(geometric_counts(rng, count, mean), 8)
    owner = expand(per_basket)
    m = len(owner)
    product = catalog.pick(rng, m)
    quantity = pick(rng, m, (80, 15, 5)) + 1
    if allow_returns:
        quantity = np.where(rng.random(m) < 0.02, -1, quantity)
    rate = np.array([pools.CURRENCY_RATE[c] for c in pools.CURRENCIES])[currency[owner]]
    unit = np.round(catalog.price_cents[product] * rate).astype(np.int64)
    return {"owner": owner, "product": product, "quantity": quantity, "unit": unit}


def make_orders(
    ctx: ChunkContext,
    people: People,
    rows: np.ndarray,
    times: np.ndarray,
    customer_id: pa.Array,
    email: pa.Array,
    rng: np.random.Generator,
    catalog: Catalog,
) -> tuple[SourceRows, SourceRows]:
    """Orders of ``rows`` at ``times`` with their lines; amounts add up (lines - discounts + shipping)."""
    noise = ctx.config.noise
    _, end = ctx.window
    order = np.lexsort((rows, times))
    rows, times = rows[order], times[order]
    customer_id, email = customer_id.take(pa.array(order)), email.take(pa.array(order))
    n = len(rows)
    order_id = ctx.ids.record_ids("shop_orders", n)
    currency = _currency(people, rows)
    lines = _lines(rng, catalog, n, ctx.config.volume.lines_per_order, currency, allow_returns=False)
    m = len(lines["owner"])
    line_gross = lines["unit"] * lines["quantity"]
    line_discount = np.where(
        rng.random(m) < 0.08, (line_gross * rng.uniform(0.1, 0.3, m)).astype(np.int64), 0
    )
    subtotal = np.bincount(lines["owner"], weights=line_gross - line_discount, minlength=n).astype(np.int64)
    promo = rng.random(n)
    discount = np.where(
        promo < 0.07, subtotal // 10, np.where(promo < 0.12, np.minimum(1000, subtotal // 2), 0)
    )
    shipping = np.where(subtotal - discount >= 6000, 0, np.where(rng.random(n) < 0.5, 490, 590))
    total = subtotal - discount + shipping
    recent = times > end - 5 * SECONDS_PER_DAY
    status_index = np.where(recent & (rng.random(n) < 0.6), 3, pick(rng, n, (86, 5, 5, 4)))
    status_words = ("completed", "cancelled", "refunded", "pending")
    status = take(
        strings([w for word in status_words for w in (word, word.capitalize(), word.upper())]),
        status_index * 3 + pick(rng, n, (88, 8, 4)),
    )
    money = lambda cents: render_money(cents, currency, rng, MONEY_SHOP, bad=noise.amount_bad)  # noqa: E731
    gift = rng.random(n) < 0.05
    shipping_to = people.address_at(rows, times)
    gift_people = people.take(rng.integers(0, len(people), n)) if len(people) else people
    ship_city = np.where(gift, gift_people.city, shipping_to.city)
    ship_postcode = where(gift, gift_people.postcode, shipping_to.postcode)
    country = people.country[rows]
    ship_country = np.where(gift, gift_people.country, country)
    no_address = rng.random(n) < 0.02
    phone_nsn, phone_kind = _main_phone(people, rows, rng, prefer_mobile=0.95)
    phone = render_any_phone(phone_nsn, phone_kind, country, rng, PLATFORM_PHONE_STYLES, noise)
    updated = np.minimum(times + (rng.exponential(3, n) * SECONDS_PER_DAY).astype(np.int64), end - 1)
    zone = people.zone[rows]
    orders = SourceRows(
        "shop_orders",
        {
            "order_id": order_id,
            "customer_id": customer_id,
            "email": email,
            "phone": null_where((rng.random(n) > 0.4) | people.split_cluster[rows], phone),
            "status": status,
            "currency": null_where(rng.random(n) < 0.08, take(strings(pools.CURRENCIES), currency)),
            "total_amount": money(total),
            "discount_amount": null_where((discount == 0) & (rng.random(n) < 0.5), money(discount)),
            "shipping_amount": null_where(rng.random(n) < 0.1, money(shipping)),
            "shipping_postal_code": null_where(
                no_address,
                render_postcodes(ship_postcode, ship_country, rng, lost_zero=noise.postcode_lost_zero),
            ),
            "shipping_city": null_where(no_address, render_cities(ship_city, rng, FORM_CITY_SLOTS)),
            "shipping_country_code": null_where(
                no_address, render_countries(ship_country, rng, ISO_COUNTRY_SLOTS)
            ),
            "ordered_at": render_timestamps(times, zone, ctx.offsets, rng, SHOP_TIMESTAMPS),
            "updated_at": render_timestamps(updated, zone, ctx.offsets, rng, SHOP_TIMESTAMPS),
        },
        rows,
        _truth_ids(people, rows),
        {
            "record_id": order_id,
            "time": times,
            "customer_id": customer_id,
            "email": email,
            "first_product": lines["product"][np.searchsorted(lines["owner"], np.arange(n))],
        },
    )
    line_currency = currency[lines["owner"]]
    order_lines = SourceRows(
        "shop_order_lines",
        {
            "order_line_id": ctx.ids.record_ids("shop_order_lines", m),
            "order_id": order_id.take(pa.array(lines["owner"])),
            "product_id": catalog.product_id.take(pa.array(lines["product"])),
            "quantity": int_to_strings(lines["quantity"]),
            "unit_price": render_money(lines["unit"], line_currency, rng, {"dot": 85, "short": 15}, bad=0),
            "line_discount_amount": null_where(
                line_discount == 0, render_money(line_discount, line_currency, rng, {"dot": 100}, bad=0)
            ),
        },
        np.full(m, -1),
        pa.nulls(m, STRING),
    )
    return orders, order_lines


# ------------------------------------------------------------------------------------ loyalty & tills


def build_loyalty(ctx: ChunkContext, people: People) -> SourceRows:
    rng = ctx.rng("loyalty")
    _, end = ctx.window
    members = np.flatnonzero(people.loyalty)
    enrolled = uniform_times(
        rng, people.since[members], np.minimum(people.since[members] + 120 * SECONDS_PER_DAY, end)
    )
    replaced = rng.random(len(members)) < ctx.config.presence.loyalty_second_card
    second = uniform_times(rng, enrolled[replaced], end)
    rows = np.concatenate([members, members[replaced]])
    times = np.concatenate([enrolled, second])
    return make_loyalty_members(ctx, people, rows, times, rng)


def make_loyalty_members(
    ctx: ChunkContext, people: People, rows: np.ndarray, enrolled: np.ndarray, rng: np.random.Generator
) -> SourceRows:
    """Cards filled in at the till by store staff: capitals, missing accents, placeholder e-mails."""
    noise = ctx.config.noise
    staff = noise.staff_typing_factor
    rows, enrolled = _sorted(rows, enrolled)
    n = len(rows)
    card = ctx.ids.loyalty_cards(n)
    email = typed_email(people, rows, enrolled, rng, email_noise(noise, staff, junk=5.0), borrowed_share=0.6)
    email = null_where((rng.random(n) > 0.65) | people.split_cluster[rows], email)
    nsn, kind = _main_phone(people, rows, rng, prefer_mobile=0.9)
    phone = blank(
        render_any_phone(nsn, kind, people.country[rows], rng, TYPED_PHONE_STYLES, noise),
        rng,
        0.12,
        noise.missing_token,
    )
    store_index = people.home_store[rows]
    names = name_noise(noise, staff)
    enrolled_text = by_variant(
        pick(rng, n, (40, 20, 40)),
        [
            lambda r: format_naive(enrolled[r], "date"),
            lambda r: render_dates(enrolled[r] // SECONDS_PER_DAY, rng, {"dmy_slash": 1}, impossible=0),
            lambda r: format_naive(enrolled[r] + ctx.offsets.offset(enrolled[r], np.zeros(len(r), np.int64))),
        ],
    )
    tier = take(
        strings(("bronze", "silver", "gold", "platinum", "Bronze", "Silver", "Gold", "Platinum")),
        pick(rng, n, (60, 25, 12, 3)) + 4 * (rng.random(n) < 0.15),
    )
    address = _address_columns(ctx, people, rows, enrolled, rng, city_slots=STAFF_CITY_SLOTS, present=0.9)
    return SourceRows(
        "loyalty_members",
        {
            "loyalty_card_id": card,
            "first_name": replace_some(
                render_names(reference().first, people.first[rows], rng, **names),
                rng,
                noise.name_junk * staff,
                pools.JUNK_NAMES,
            ),
            "last_name": replace_some(
                render_names(reference().last, people.last[rows], rng, **names),
                rng,
                noise.name_junk * staff,
                pools.JUNK_NAMES,
            ),
            "email": email,
            "phone": phone,
            "birth_date": null_where(
                rng.random(n) > 0.6,
                render_dates(
                    people.birth[rows],
                    rng,
                    {"dmy_slash": 75, "iso": 10, "dmy_dot": 10, "compact": 5},
                    impossible=noise.date_impossible * staff,
                ),
            ),
            "postal_code": address["postcode"],
            "city": address["city"],
            "country": null_where(rng.random(n) < 0.3, address["country"]),
            "home_store_id": take(strings([s.store_id for s in pools.STORES]), store_index),
            "tier": tier,
            "enrolled_at": enrolled_text,
        },
        rows,
        _truth_ids(people, rows),
        {"record_id": card, "email": email, "phone": phone, "created": enrolled},
    )


def build_pos(
    ctx: ChunkContext, people: People, loyalty: SourceRows, catalog: Catalog
) -> tuple[SourceRows, SourceRows]:
    """Till receipts: members usually show their card; most other buyers stay anonymous."""
    rng = ctx.rng("pos")
    volume = ctx.config.volume
    _, end = ctx.window
    buyers = np.flatnonzero(people.pos_buyer)
    mean = np.where(people.loyalty[buyers], volume.pos_visits_loyalty, volume.pos_visits)
    counts = np.maximum(1, np.minimum(rng.geometric(1.0 / np.maximum(mean, 1.0)), 60))
    rows = buyers[expand(counts)]
    days = uniform_times(rng, people.since[rows], end) // SECONDS_PER_DAY
    # Cards valid at each visit: the latest card enrolled before the visit (by person).
    card = latest_record_before(
        loyalty.person,
        loyalty.extra["created"],
        loyalty.extra["record_id"],
        rows,
        days * SECONDS_PER_DAY + 86_399,
    )
    return make_pos(ctx, people, rows, days, card, rng, catalog)


def latest_index_before(
    owner: np.ndarray, created: np.ndarray, rows: np.ndarray, seconds: np.ndarray
) -> np.ndarray:
    """Per (person row, time): index of the person's latest record created at or before the time, or -1."""
    if not len(owner):
        return np.full(len(rows), -1, dtype=np.int64)
    order = np.lexsort((created, owner))
    owner_sorted, created_sorted = owner[order].astype(np.int64), created[order]
    base = created_sorted.min()
    scale = np.int64(2**33)  # composite (person, time) key; times span far less than 2**33 seconds
    keys = owner_sorted * scale + (created_sorted - base)
    queries = np.asarray(rows, dtype=np.int64) * scale + np.clip(np.asarray(seconds) - base, -1, scale - 1)
    position = np.searchsorted(keys, queries, side="right") - 1
    valid = (position >= 0) & (owner_sorted[np.maximum(position, 0)] == rows)
    return np.where(valid, order[np.maximum(position, 0)], -1)


def latest_record_before(
    owner: np.ndarray, created: np.ndarray, record_id: pa.Array, rows: np.ndarray, seconds: np.ndarray
) -> pa.Array:
    """Per (person row, time): id of the person's latest record created before the time, else null."""
    index = latest_index_before(owner, created, rows, seconds)
    if not len(record_id):
        return pa.nulls(len(rows), STRING)
    return null_where(index < 0, record_id.take(pa.array(np.maximum(index, 0))))


def make_pos(
    ctx: ChunkContext,
    people: People,
    rows: np.ndarray,
    days: np.ndarray,
    card: pa.Array,
    rng: np.random.Generator,
    catalog: Catalog,
) -> tuple[SourceRows, SourceRows]:
    noise = ctx.config.noise
    n = len(rows)
    store = np.where(
        rng.random(n) < 0.8, people.home_store[rows], pick(rng, n, [s.weight for s in pools.STORES])
    )
    # Tills print local wall-clock time (Europe/Paris for every store) with no offset.
    local = days * SECONDS_PER_DAY + 9 * 3600 + 1800 + (rng.random(n) * 10 * 3600).astype(np.int64)
    order = np.lexsort((rows, local))
    rows, local, store, days = rows[order], local[order], store[order], days[order]
    card = card.take(pa.array(order))
    shows_card = pc.is_valid(card).to_numpy(zero_copy_only=False) & (rng.random(n) < 0.85)
    card = null_where(~shows_card, card)
    transaction_id = ctx.ids.record_ids("pos_transactions", n)
    store_currency = np.array(
        [pools.CURRENCY_INDEX["CHF" if s.city == "Genève" else "EUR"] for s in pools.STORES]
    )[store]
    lines = _lines(rng, catalog, n, ctx.config.volume.lines_per_receipt, store_currency, allow_returns=True)
    m = len(lines["owner"])
    total = np.bincount(lines["owner"], weights=lines["unit"] * lines["quantity"], minlength=n).astype(
        np.int64
    )
    wants_receipt = (
        np.where(shows_card, rng.random(n) < 0.04, rng.random(n) < 0.12) & ~people.split_cluster[rows]
    )
    receipt = typed_email(
        people, rows, local, rng, email_noise(noise, noise.staff_typing_factor, junk=4.0), borrowed_share=0.3
    )
    timestamp = where(rng.random(n) < 0.96, format_naive(local), format_naive(local, "fr"))
    transactions = SourceRows(
        "pos_transactions",
        {
            "transaction_id": transaction_id,
            "store_id": take(strings([s.store_id for s in pools.STORES]), store),
            "store_name": null_where(
                rng.random(n) < 0.3, take(strings([s.name for s in pools.STORES]), store)
            ),
            "loyalty_card_id": card,
            "receipt_email": null_where(~wants_receipt, receipt),
            "total_amount": render_money(total, store_currency, rng, MONEY_TILL, bad=noise.amount_bad),
            "currency": null_where(rng.random(n) < 0.2, take(strings(pools.CURRENCIES), store_currency)),
            "payment_method": take(
                strings(("card", "CB", "cash", "mobile", "voucher", "Carte")),
                pick(rng, n, (55, 10, 18, 10, 4, 3)),
            ),
            "transaction_at": timestamp,
        },
        rows,
        _truth_ids(people, rows),
        {"record_id": transaction_id, "time": local},
    )
    pos_lines = SourceRows(
        "pos_transaction_lines",
        {
            "transaction_line_id": ctx.ids.record_ids("pos_transaction_lines", m),
            "transaction_id": transaction_id.take(pa.array(lines["owner"])),
            "product_id": catalog.product_id.take(pa.array(lines["product"])),
            "quantity": int_to_strings(lines["quantity"]),
            "unit_price": render_money(
                lines["unit"], store_currency[lines["owner"]], rng, {"comma": 60, "dot": 40}, bad=0
            ),
        },
        np.full(m, -1),
        pa.nulls(m, STRING),
    )
    return transactions, pos_lines


# --------------------------------------------------------------------------------------------- support


def build_support(ctx: ChunkContext, people: People) -> SourceRows:
    rng = ctx.rng("support")
    _, end = ctx.window
    requesters = np.flatnonzero(people.support)
    rows = requesters[
        expand(geometric_counts(rng, len(requesters), ctx.config.volume.tickets_per_requester, cap=10))
    ]
    created = human_times(rng, people.since[rows], np.full(len(rows), end), people.zone[rows], ctx.offsets)
    return make_tickets(ctx, people, rows, created, rng)


def _requester_names(
    people: People, rows: np.ndarray, rng: np.random.Generator, noise: NoiseRates
) -> pa.Array:
    """One free-text name in any order: 'Jean Dupont', 'DUPONT Jean', 'Dupont, Jean', 'J. Dupont'."""
    ref = reference()
    first = render_names(ref.first, people.first[rows], rng, **name_noise(noise))
    last = render_names(ref.last, people.last[rows], rng, **name_noise(noise))
    initial = take(ref.first.initial, people.first[rows])
    upper_last = pc.utf8_upper(last)
    return by_variant(
        pick(rng, len(rows), (45, 20, 8, 8, 5, 7, 7)),
        [
            lambda r: join(first.take(r), " ", last.take(r)),
            lambda r: join(upper_last.take(r), " ", first.take(r)),  # DUPONT Jean
            lambda r: join(last.take(r), ", ", first.take(r)),
            lambda r: pc.utf8_lower(join(first.take(r), " ", last.take(r))),
            lambda r: join(pc.utf8_upper(initial.take(r)), ". ", last.take(r)),
            lambda r: first.take(r),
            lambda r: repeat(None, len(r)),
        ],
    )


def make_tickets(
    ctx: ChunkContext, people: People, rows: np.ndarray, created: np.ndarray, rng: np.random.Generator
) -> SourceRows:
    noise = ctx.config.noise
    _, end = ctx.window
    rows, created = _sorted(rows, created)
    n = len(rows)
    ticket_id = ctx.ids.record_ids("support_tickets", n)
    channel = pick(rng, n, (55, 20, 12, 10, 3))  # email, phone, chat, web_form, social
    email = typed_email(people, rows, created, rng, email_noise(noise, 0.5, malformed=0.5))
    has_email = np.isin(channel, (0, 2, 3)) | ((channel == 1) & (rng.random(n) < 0.3))
    nsn, kind = _main_phone(people, rows, rng, prefer_mobile=0.8)
    phone = render_any_phone(
        nsn,
        kind,
        people.country[rows],
        rng,
        {"e164": 45, **{k: v * 0.6 for k, v in TYPED_PHONE_STYLES.items()}},
        noise,
    )
    has_phone = (channel == 1) | (rng.random(n) < 0.1)
    age_days = (end - created) / SECONDS_PER_DAY
    status = np.where(age_days > 14, np.where(rng.random(n) < 0.5, 3, 4), pick(rng, n, (20, 30, 20, 20, 10)))
    solved = np.isin(status, (3, 4))
    solved_at = np.minimum(created + (rng.exponential(36, n) * 3600).astype(np.int64) + 600, end - 1)
    rated = solved & (rng.random(n) < 0.4)
    score = pick(rng, n, (6, 6, 13, 30, 45)) + 1
    zone = people.zone[rows]
    return SourceRows(
        "support_tickets",
        {
            "ticket_id": ticket_id,
            "requester_email": null_where(~has_email, email),
            "requester_phone": null_where(~has_phone, phone),
            "requester_name": _requester_names(people, rows, rng, noise),
            "subject": take(strings(pools.SUPPORT_SUBJECTS), rng.integers(0, len(pools.SUPPORT_SUBJECTS), n)),
            "channel": take(strings(("email", "phone", "chat", "web_form", "social")), channel),
            "status": take(strings(("new", "open", "pending", "solved", "closed")), status),
            "priority": null_where(
                rng.random(n) < 0.2,
                take(strings(("low", "normal", "high", "urgent")), pick(rng, n, (20, 60, 15, 5))),
            ),
            "satisfaction_score": null_where(~rated, int_to_strings(score)),
            "created_at": render_timestamps(created, zone, ctx.offsets, rng, SUPPORT_TIMESTAMPS),
            "solved_at": null_where(
                ~solved, render_timestamps(solved_at, zone, ctx.offsets, rng, SUPPORT_TIMESTAMPS)
            ),
        },
        rows,
        _truth_ids(people, rows),
        {"record_id": ticket_id},
    )


# --------------------------------------------------------------------------------------------- test accounts

_TEST_NAMES = (
    ("Test", "Test"),
    ("Test", "Interne"),
    ("QA", "Recette"),
    ("Recette", "Nova"),
    ("Xxx", "Xxx"),
    ("Client", "Test"),
)


def build_test_accounts(ctx: ChunkContext, count: int, catalog: Catalog) -> dict[str, SourceRows]:
    """Internal test accounts (CRM contact + shop account + orders); each is a synthetic person of its own."""
    rng = ctx.rng("test_accounts")
    start, end = ctx.window
    k = np.arange(count)
    # Unique across batches and chunks: batch, chunk (< 10**5) and rank in the chunk (< 10**6).
    global_k = ctx.batch * 10**11 + ctx.chunk * 10**6 + k
    person_id = fixed_format(count, ["T", (global_k, 12)])
    email = join(
        take(strings(("qa", "test", "recette.")), k % 3), int_to_strings(global_k), "@" + pools.BRAND_DOMAIN
    )
    if ctx.batch == 0 and ctx.chunk == 0:
        email = where(k == 0, "test.interne@" + pools.BRAND_DOMAIN, email)
    names = (
        take(strings([f for f, _ in _TEST_NAMES]), k % len(_TEST_NAMES)),
        take(strings([last for _, last in _TEST_NAMES]), k % len(_TEST_NAMES)),
    )
    phone = take(strings(pools.JUNK_PHONES), rng.integers(0, len(pools.JUNK_PHONES), count))
    created = uniform_times(rng, np.full(count, start), np.full(count, end))
    stamp = format_naive(created)
    crm = SourceRows(
        "crm_contacts",
        {
            "contact_id": ctx.ids.record_ids("crm_contacts", count),
            "first_name": names[0],
            "last_name": names[1],
            "email": email,
            "phone": phone,
            "street_address": repeat("1 rue du Test", count),
            "postal_code": repeat("75000", count),
            "city": repeat("Paris", count),
            "country": repeat("FR", count),
            "created_at": stamp,
            "updated_at": stamp,
        },
        np.full(count, -1),
        person_id,
    )
    customer_id = ctx.ids.record_ids("shop_customers", count)
    customers = SourceRows(
        "shop_customers",
        {
            "customer_id": customer_id,
            "email": email,
            "first_name": names[0],
            "last_name": names[1],
            "phone": phone,
            "country_code": repeat("FR", count),
            "accepts_marketing": repeat("false", count),
            "created_at": stamp,
            "updated_at": stamp,
        },
        np.full(count, -1),
        person_id,
    )
    order_owner = np.repeat(k, 2)
    n_orders = len(order_owner)
    order_id = ctx.ids.record_ids("shop_orders", n_orders)
    product = catalog.pick(rng, n_orders)
    price = catalog.price_cents[product]
    order_time = uniform_times(rng, created[order_owner], np.full(n_orders, end))
    orders = SourceRows(
        "shop_orders",
        {
            "order_id": order_id,
            "customer_id": customer_id.take(pa.array(order_owner)),
            "email": email.take(pa.array(order_owner)),
            "status": take(strings(("completed", "cancelled")), rng.integers(0, 2, n_orders)),
            "currency": repeat("EUR", n_orders),
            "total_amount": render_money(price, np.zeros(n_orders, np.int64), rng, {"dot": 1}, bad=0),
            "ordered_at": format_naive(order_time),
            "updated_at": format_naive(order_time),
        },
        np.full(n_orders, -1),
        person_id.take(pa.array(order_owner)),
    )
    lines = SourceRows(
        "shop_order_lines",
        {
            "order_line_id": ctx.ids.record_ids("shop_order_lines", n_orders),
            "order_id": order_id,
            "product_id": catalog.product_id.take(pa.array(product)),
            "quantity": repeat("1", n_orders),
            "unit_price": render_money(price, np.zeros(n_orders, np.int64), rng, {"dot": 1}, bad=0),
        },
        np.full(n_orders, -1),
        pa.nulls(n_orders, STRING),
    )
    return {
        "crm_contacts": crm,
        "shop_customers": customers,
        "shop_orders": orders,
        "shop_order_lines": lines,
    }
