"""Web tracking: anonymous devices, sessions over time, and the events that later identify the visitor.

A visitor browses anonymously (cookie ``anonymous_id``) until they sign up or log in (``user_id`` = shop
customer id from then on, on that device) or type their e-mail in a form (``form_email``). People with several
devices have several anonymous ids; some devices are never identified.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import pools
from .catalog import Campaigns, Catalog
from .context import ChunkContext, SourceRows, expand, human_times
from .noise import render_timestamps
from .people import NEVER, People
from .sources import email_noise, latest_record_before, typed_email
from .text import STRING, join, null_where, pick, repeat, scatter, strings, take, uuid_strings, where

DEVICE_TYPES = ("mobile", "desktop", "tablet")
EVENT_NAMES = (
    "page_view",
    "product_view",
    "add_to_cart",
    "checkout_started",
    "order_completed",
    "form_submitted",
    "login",
    "sign_up",
)
PAGE_VIEW, PRODUCT_VIEW, ADD_TO_CART, CHECKOUT, ORDER_COMPLETED, FORM, LOGIN, SIGN_UP = range(8)
BROWSE, SIGNUP, ORDER_ACCOUNT, ORDER_GUEST, NEWSLETTER = range(5)
WEB_TIMESTAMPS = {"iso_offset": 45, "iso_ms_z": 40, "iso_z": 8, "naive_utc": 4, "epoch": 3}
_SOCIAL_CONTENT = ("video_15s", "carousel_nouveautes", "story_soldes", "static_lin", "ugc_avis")
_NEWSLETTER_CONTENT = ("hero_banner", "cta_bottom", "product_grid")
_SEARCH_TERMS = (
    "atelier nova",
    "robe lin femme",
    "chemise homme lin",
    "linge de lit lin",
    "bougie parfumee",
    "boutique mode lyon",
)
_SPECIAL_PAGES = {
    CHECKOUT: ("/checkout", "Paiement | Atelier Nova"),
    ORDER_COMPLETED: ("/checkout/confirmation", "Merci pour votre commande | Atelier Nova"),
    FORM: ("/newsletter/inscription", "Newsletter | Atelier Nova"),
    LOGIN: ("/compte/connexion", "Connexion | Atelier Nova"),
    SIGN_UP: ("/compte/creation", "Créer un compte | Atelier Nova"),
}


@dataclass
class Devices:
    """Browsers/apps of people: ``person`` rows, their anonymous ids and types."""

    person: np.ndarray
    anonymous_id: pa.Array
    device_type: np.ndarray
    identified_from: np.ndarray  # epoch seconds the device is logged in from (NEVER if not yet)


@dataclass
class Sessions:
    """Visits to build events for; per session: device, kind, anchor time and what identifies the visitor."""

    device: np.ndarray  # index into Devices
    kind: np.ndarray
    time: np.ndarray  # session start, or the order time for order sessions (events end there)
    login: np.ndarray  # a login event early in the session
    form_email: pa.Array  # newsletter e-mail or guest checkout e-mail, else null
    order_id: pa.Array  # order sessions, else null
    product: np.ndarray  # product of the order (order sessions), else -1


def make_devices(ctx: ChunkContext, rows: np.ndarray, rng: np.random.Generator) -> Devices:
    """One device per entry of ``rows`` (a person with two devices appears twice)."""
    return Devices(
        person=rows,
        anonymous_id=ctx.ids.uuids("anonymous_id", len(rows), rng),
        device_type=pick(rng, len(rows), (55, 38, 7)),
        identified_from=np.full(len(rows), NEVER, dtype=np.int64),
    )


def random_device_of(devices: Devices, person_rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random device index of each person (devices must be grouped by person, in ascending order)."""
    first = np.searchsorted(devices.person, person_rows, side="left")
    count = np.searchsorted(devices.person, person_rows, side="right") - first
    return first + (rng.random(len(person_rows)) * np.maximum(count, 1)).astype(np.int64)


def build_web(
    ctx: ChunkContext,
    people: People,
    customers: SourceRows,
    orders: SourceRows,
    catalog: Catalog,
    campaigns: Campaigns,
) -> tuple[SourceRows, Devices]:
    rng = ctx.rng("web")
    volume = ctx.config.volume
    _, end = ctx.window
    visitors = np.flatnonzero(people.web_visitor)
    draw = rng.random(len(visitors))
    per_visitor = 1 + (draw < volume.second_device) + (draw < volume.third_device)
    devices = make_devices(ctx, visitors[expand(per_visitor)], rng)
    # Every device browses at least once, so every anonymous id shows up in the events.
    browse_counts = 1 + rng.poisson(max(volume.browse_sessions_per_device - 1.0, 0.0), len(devices.person))
    browse_device = expand(browse_counts)
    browse_person = devices.person[browse_device]
    browse_time = human_times(
        rng,
        people.since[browse_person],
        np.full(len(browse_person), end),
        people.zone[browse_person],
        ctx.offsets,
    )
    # Only sessions after the person's first account was opened can contain a login.
    first_account = np.full(len(people), NEVER, dtype=np.int64)
    np.minimum.at(first_account, customers.person, customers.extra["created"])
    has_account = browse_time >= first_account[browse_person]
    signup_device = random_device_of(devices, customers.person, rng)
    order_person = orders.person
    order_device = random_device_of(devices, order_person, rng)
    guest = pc.is_null(orders.extra["customer_id"]).to_numpy(zero_copy_only=False)
    subscribers = np.flatnonzero(people.newsletter)
    newsletter_device = random_device_of(devices, subscribers, rng)
    newsletter_time = human_times(
        rng, people.since[subscribers], np.full(len(subscribers), end), people.zone[subscribers], ctx.offsets
    )
    newsletter_email = people_email_typed(ctx, people, subscribers, newsletter_time, rng)
    n_browse, n_signup, n_orders, n_news = (
        len(browse_device),
        len(signup_device),
        len(order_device),
        len(subscribers),
    )
    sessions = Sessions(
        device=np.concatenate([browse_device, signup_device, order_device, newsletter_device]),
        kind=np.concatenate(
            [
                np.full(n_browse, BROWSE),
                np.full(n_signup, SIGNUP),
                np.where(guest, ORDER_GUEST, ORDER_ACCOUNT),
                np.full(n_news, NEWSLETTER),
            ]
        ),
        time=np.concatenate([browse_time, customers.extra["created"], orders.extra["time"], newsletter_time]),
        login=np.concatenate(
            [
                has_account & (rng.random(n_browse) < 0.25),
                np.zeros(n_signup, bool),
                ~guest & (rng.random(n_orders) < 0.5),
                np.zeros(n_news, bool),
            ]
        ),
        form_email=pa.concat_arrays(
            [
                pa.nulls(n_browse + n_signup, STRING),
                null_where(~guest, orders.extra["email"]),
                newsletter_email,
            ]
        ),
        order_id=pa.concat_arrays(
            [pa.nulls(n_browse + n_signup, STRING), orders.extra["record_id"], pa.nulls(n_news, STRING)]
        ),
        product=np.concatenate(
            [np.full(n_browse + n_signup, -1), orders.extra["first_product"], np.full(n_news, -1)]
        ),
    )
    accounts = (customers.person, customers.extra["created"], customers.extra["record_id"])
    events = make_web_events(ctx, people, devices, sessions, accounts, catalog, campaigns, rng)
    events.extra["newsletter"] = (subscribers, newsletter_email, newsletter_time)
    return events, devices


def people_email_typed(
    ctx: ChunkContext, people: People, rows: np.ndarray, seconds: np.ndarray, rng: np.random.Generator
) -> pa.Array:
    """E-mails typed by visitors in site forms."""
    return typed_email(
        people, rows, seconds, rng, email_noise(ctx.config.noise, 1.0, gmail=1.5, malformed=0.5)
    )


def _session_lengths(
    kind: np.ndarray, login: np.ndarray, extra_pages: np.ndarray, cart: np.ndarray
) -> np.ndarray:
    """Events per session. Order sessions: landing, [product view, add to cart,] checkout, confirmation."""
    browse = 1 + extra_pages + login + cart
    is_order = (kind == ORDER_ACCOUNT) | (kind == ORDER_GUEST)
    fixed = np.select([kind == SIGNUP, is_order, kind == NEWSLETTER], [2, 3, 2], 0) + 2 * (is_order & cart)
    return np.where(kind == BROWSE, browse, fixed + login)


def _event_names(kind, position, from_end, login, cart, rng) -> np.ndarray:
    n = len(kind)
    browsing = np.where(rng.random(n) < 0.5, PAGE_VIEW, PRODUCT_VIEW)
    name = np.full(n, PAGE_VIEW)
    is_order = (kind == ORDER_ACCOUNT) | (kind == ORDER_GUEST)
    name = np.where(
        kind == BROWSE, np.where(cart & (from_end == 0) & (position > 0), ADD_TO_CART, browsing), name
    )
    funnel = np.array([ORDER_COMPLETED, CHECKOUT, ADD_TO_CART, PRODUCT_VIEW])
    name = np.where(is_order & (from_end < 4) & (position > 0), funnel[np.minimum(from_end, 3)], name)
    name = np.where((kind == SIGNUP) & (position == 1), SIGN_UP, name)
    name = np.where((kind == NEWSLETTER) & (position == 1), FORM, name)
    name = np.where(login & (position == 1), LOGIN, name)
    return np.where(position == 0, PAGE_VIEW, name)


def make_web_events(
    ctx: ChunkContext,
    people: People,
    devices: Devices,
    sessions: Sessions,
    accounts: tuple[np.ndarray, np.ndarray, pa.Array],
    catalog: Catalog,
    campaigns: Campaigns,
    rng: np.random.Generator,
) -> SourceRows:
    """Expand sessions into events, identify devices on login/sign-up, and tag landing pages with UTMs."""
    start, end = ctx.window
    volume = ctx.config.volume
    s = len(sessions.kind)
    kind = sessions.kind
    extra_pages = np.where(kind == BROWSE, rng.poisson(max(volume.pages_per_session - 1.0, 0.0), s), 0)
    anchored = (kind == ORDER_ACCOUNT) | (kind == ORDER_GUEST)
    # Browsing sometimes ends in the cart; most order sessions show the product page and the cart first.
    cart = rng.random(s) < np.where(anchored, 0.6, np.where(kind == BROWSE, 0.12, 0.0))
    login = sessions.login
    length = _session_lengths(kind, login, extra_pages, cart)
    # Events are built session by session (previous page = referrer), then ordered by time at the end.
    session = expand(length)
    n = len(session)
    first_event = np.concatenate([[0], np.cumsum(length)[:-1]]).astype(np.int64)
    position = np.arange(n) - first_event[session]
    from_end = length[session] - 1 - position
    gap = np.where(position == 0, 0, 5 + rng.exponential(45, n)).astype(np.int64)
    elapsed = np.cumsum(gap)
    elapsed -= elapsed[first_event][session]
    duration = elapsed[first_event + length - 1] if n else np.zeros(0, np.int64)
    session_start = np.where(anchored, sessions.time - duration, sessions.time)
    session_start = np.maximum(np.minimum(session_start, end - 1 - duration), start)
    seconds = session_start[session] + elapsed
    name = _event_names(kind[session], position, from_end, login[session], cart[session], rng)
    # Output in time order (event ids follow the clock). Everything per event is permuted now, before any
    # string is built; the referrer (previous page of the session) is found through the permutation.
    order = np.lexsort((position, session, seconds))
    sorted_at = np.empty(n, dtype=np.int64)
    sorted_at[order] = np.arange(n)
    previous = sorted_at[np.maximum(order - 1, 0)]
    session, position, from_end, seconds, name = (
        session[order],
        position[order],
        from_end[order],
        seconds[order],
        name[order],
    )
    device = sessions.device[session]
    person = devices.person[device]

    # A device is identified from its first sign-up, login or logged-in checkout on.
    identifying = (name == LOGIN) | (name == SIGN_UP) | ((kind[session] == ORDER_ACCOUNT) & (position == 0))
    identified_from = devices.identified_from.copy()
    np.minimum.at(identified_from, device[identifying], seconds[identifying])
    devices.identified_from = identified_from
    account = latest_record_before(accounts[0], accounts[1], accounts[2], person, seconds)
    user_id = null_where(seconds < identified_from[device], account)

    landing = position == 0
    tagged_session = rng.random(s) < np.select(
        [kind == BROWSE, anchored, kind == SIGNUP], [0.35, 0.4, 0.3], 0.2
    )
    tagged = landing & tagged_session[session]
    utm = _utm_parameters(rng, seconds[tagged], campaigns)

    # Products: the ordered product in order sessions, a best seller otherwise.
    product = np.where(sessions.product[session] >= 0, sessions.product[session], catalog.pick(rng, n))
    is_product = (name == PRODUCT_VIEW) | (name == ADD_TO_CART)
    page = pick(rng, n, [8 if i == 0 else 2 for i in range(len(pools.SITE_PAGES))])
    path = take(strings([p for p, _ in pools.SITE_PAGES]), page)
    title = take(strings([t for _, t in pools.SITE_PAGES]), page)
    path = where(is_product, catalog.url_path.take(pa.array(product)), path)
    title = where(is_product, join(catalog.name.take(pa.array(product)), " | Atelier Nova"), title)
    for code, (special_path, special_title) in _SPECIAL_PAGES.items():
        path = where(name == code, special_path, path)
        title = where(name == code, special_title, title)
    query = where(
        name == ORDER_COMPLETED, join("?order=", sessions.order_id.take(pa.array(session))), repeat("", n)
    )
    listing_query = take(strings(pools.LISTING_QUERIES), rng.integers(0, len(pools.LISTING_QUERIES), n))
    query = where((name == PAGE_VIEW) & ~landing & (rng.random(n) < 0.12), listing_query, query)
    query = pc.coalesce(scatter(tagged, utm["query"]), query)
    url = join(pools.SITE_URL, path, query)
    organic = take(
        strings([r or None for r in pools.ORGANIC_REFERRERS]),
        rng.integers(0, len(pools.ORGANIC_REFERRERS), n),
    )
    referrer = where(
        landing, where(tagged, scatter(tagged, utm["referrer"]), organic), url.take(pa.array(previous))
    )
    checkout_form = (name == CHECKOUT) & (kind[session] == ORDER_GUEST)
    form_email = null_where(~((name == FORM) | checkout_form), sessions.form_email.take(pa.array(session)))
    device_type = null_where(rng.random(n) < 0.05, take(strings(DEVICE_TYPES), devices.device_type[device]))
    columns = {
        "anonymous_id": devices.anonymous_id.take(pa.array(device)),
        "user_id": user_id,
        "event_name": take(strings(EVENT_NAMES), name),
        "page_url": url,
        "page_title": null_where(rng.random(n) < 0.05, title),
        "referrer": referrer,
        "utm_source": scatter(tagged, utm["source"]),
        "utm_medium": scatter(tagged, utm["medium"]),
        "utm_campaign": scatter(tagged, utm["campaign"]),
        "utm_content": scatter(tagged, utm["content"]),
        "utm_term": scatter(tagged, utm["term"]),
        "form_email": form_email,
        "product_id": null_where(~is_product, catalog.product_id.take(pa.array(product))),
        "device_type": device_type,
        "occurred_at": render_timestamps(seconds, people.zone[person], ctx.offsets, rng, WEB_TIMESTAMPS),
    }
    return SourceRows(
        "web_events",
        {"event_id": ctx.ids.uuids("event_id", n, rng), **columns},
        person,
        people.person_id.take(pa.array(person)),
        {"device": device},
    )


def _utm_parameters(
    rng: np.random.Generator, seconds: np.ndarray, campaigns: Campaigns
) -> dict[str, pa.Array]:
    """UTM values, landing query string and referrer of tagged landings (one per entry of ``seconds``).

    Paid traffic carries the name of a campaign running that day, as in ads_spend.campaign_name.
    """
    n = len(seconds)
    source = pick(rng, n, [t[4] for t in pools.TRAFFIC_SOURCES])
    channel_index = {
        c: i for i, c in enumerate(("google_ads", "meta", "tiktok", "linkedin", "microsoft_ads"))
    }
    ads_channel = np.array([channel_index.get(t[2], -1) for t in pools.TRAFFIC_SOURCES])[source]
    campaign = campaigns.pick(rng, seconds // 86_400, ads_channel)
    medium_name = np.array([t[1] for t in pools.TRAFFIC_SOURCES])[source]
    utm_source = take(strings([t[0] for t in pools.TRAFFIC_SOURCES]), source)
    utm_medium = take(strings([t[1] for t in pools.TRAFFIC_SOURCES]), source)
    newsletter = take(
        strings(pools.NEWSLETTER_CAMPAIGNS), rng.integers(0, len(pools.NEWSLETTER_CAMPAIGNS), n)
    )
    utm_campaign = where(
        campaign >= 0,
        take(strings(campaigns.name), np.maximum(campaign, 0)),
        where(medium_name == "email", newsletter, repeat("affiliation", n)),
    )
    social = take(strings(_SOCIAL_CONTENT), rng.integers(0, len(_SOCIAL_CONTENT), n))
    mailing = take(strings(_NEWSLETTER_CONTENT), rng.integers(0, len(_NEWSLETTER_CONTENT), n))
    content = where(
        medium_name == "paid_social", social, where(medium_name == "email", mailing, repeat(None, n))
    )
    content = null_where(rng.random(n) < 0.3, content)
    term = null_where(
        medium_name != "cpc", take(strings(_SEARCH_TERMS), rng.integers(0, len(_SEARCH_TERMS), n))
    )
    prefixes = strings(("&gclid=Cj0KCQiA", "&fbclid=IwAR", "&ttclid=E.C.P.", "&li_fat_id=", "&msclkid="))
    token = pc.utf8_slice_codeunits(pc.replace_substring(uuid_strings(rng, np.arange(n)), "-", ""), 0, 20)
    paid = ads_channel >= 0
    click_id = where(paid, join(take(prefixes, np.maximum(ads_channel, 0)), token), repeat("", n))
    query = join(
        "?utm_source=",
        utm_source,
        "&utm_medium=",
        utm_medium,
        "&utm_campaign=",
        utm_campaign,
        pc.coalesce(join("&utm_content=", content), ""),
        pc.coalesce(join("&utm_term=", pc.replace_substring(term, " ", "+")), ""),
        click_id,
    )
    referrer = take(strings([t[3] or None for t in pools.TRAFFIC_SOURCES]), source)
    return {
        "source": utm_source,
        "medium": utm_medium,
        "campaign": utm_campaign,
        "content": content,
        "term": term,
        "query": query,
        "referrer": referrer,
    }
