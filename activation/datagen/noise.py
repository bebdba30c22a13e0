"""Renderers: turn true values into the text a source system holds, with controlled noise.

Each function takes the true values of n records plus rates, and returns an Arrow string array: e-mails with
case/whitespace/gmail/typo/malformed/junk variants, names with accents dropped or typos, phones in national
and international formats, dates and timestamps in mixed formats, money in several locales, and so on.
All randomness comes from the ``rng`` passed in, so output is reproducible.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import pools
from .reference import (
    CITY_SLOTS,
    NAME_CANONICAL,
    NAME_LOWER,
    NAME_NO_ACCENTS,
    NAME_PARTICLE_A,
    NAME_PARTICLE_B,
    NAME_SLOTS,
    NAME_TYPOS,
    NAME_UPPER,
    NAME_UPPER_NO_ACCENTS,
    STREET_SLOTS,
    NamePool,
    reference,
)
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

SECONDS_PER_DAY = 86_400
NBSP = "\u00a0"

# --------------------------------------------------------------------------------------------- missing values


def blank(values: pa.Array, rng: np.random.Generator, rate: float, token_share: float) -> pa.Array:
    """Blank a share ``rate`` of values; some blanks are written as a token ("N/A", "null", "-")."""
    n = len(values)
    missing = rng.random(n) < rate
    if not missing.any():
        return values
    tokens = rng.random(n) < token_share
    token_values = take(strings(pools.MISSING_TOKENS), rng.integers(0, len(pools.MISSING_TOKENS), n))
    values = where(missing & tokens, token_values, values)
    return null_where(missing & ~tokens, values)


def replace_some(
    values: pa.Array, rng: np.random.Generator, rate: float, replacements: Sequence[str]
) -> pa.Array:
    """Replace a share ``rate`` of values by one of ``replacements`` (junk placeholders)."""
    n = len(values)
    hit = rng.random(n) < rate
    if not hit.any():
        return values
    pool = strings(replacements)
    return where(hit, take(pool, rng.integers(0, len(pool), n)), values)


# --------------------------------------------------------------------------------------------- names


def render_names(
    pool: NamePool,
    index: np.ndarray,
    rng: np.random.Generator,
    *,
    no_accents: float,
    upper: float,
    lower: float,
    typo: float,
    particle: float,
) -> pa.Array:
    """Names as typed: accents dropped, UPPER/lower case, one-letter typos, particle/compound variants."""
    weights = np.zeros(NAME_SLOTS)
    weights[NAME_NO_ACCENTS] = no_accents
    weights[NAME_UPPER] = upper * 0.4
    weights[NAME_UPPER_NO_ACCENTS] = upper * 0.6  # staff typing in capitals rarely bother with accents
    weights[NAME_LOWER] = lower
    weights[list(NAME_TYPOS)] = typo / 3
    weights[NAME_PARTICLE_A] = particle / 2
    weights[NAME_PARTICLE_B] = particle / 2
    weights[NAME_CANONICAL] = max(0.0, 1.0 - weights.sum())
    slot = pick(rng, len(index), weights)
    return take(pool.variants, np.asarray(index) * NAME_SLOTS + slot)


# --------------------------------------------------------------------------------------------- e-mails

_EMAIL_CANONICAL, _EMAIL_CASE, _EMAIL_SPACE, _EMAIL_GMAIL, _EMAIL_TYPO, _EMAIL_MALFORMED, _EMAIL_JUNK = range(
    7
)
_PLUS_TAGS = ("promo", "shop", "ateliernova", "newsletter", "soldes", "achats", "nova", "2024")


def email_address(local: pa.Array, domain: np.ndarray) -> pa.Array:
    """``local@domain`` (null where local is null)."""
    return join(local, "@", take(reference().domains, domain))


def render_emails(
    local: pa.Array,
    domain: np.ndarray,
    rng: np.random.Generator,
    *,
    case: float,
    whitespace: float,
    gmail_variant: float,
    domain_typo: float,
    malformed: float,
    junk: float,
) -> pa.Array:
    """E-mails as typed into a system. Nulls in ``local`` (no e-mail) stay null."""
    ref = reference()
    n = len(local)
    domain = np.asarray(domain, dtype=np.int64)
    weights = [0.0, case, whitespace, 0.0, domain_typo, malformed, junk]
    weights[0] = max(0.0, 1.0 - sum(weights))
    variant = pick(rng, n, weights)
    is_gmail = ref.domain_is_gmail[domain]
    variant[(variant == _EMAIL_CANONICAL) & is_gmail & (rng.random(n) < gmail_variant)] = _EMAIL_GMAIL
    sub = rng.integers(0, 1 << 30, n)  # picks the flavour inside a variant

    def canonical(rows: np.ndarray) -> pa.Array:
        return email_address(local.take(rows), domain[rows])

    def cased(rows: np.ndarray) -> pa.Array:
        loc, dom = local.take(rows), take(ref.domains, domain[rows])
        flavour = sub[rows] % 10
        title = join(pc.utf8_title(loc), "@", pc.utf8_capitalize(dom))  # Jean.Dupont@Gmail.com
        upper = pc.utf8_upper(join(loc, "@", dom))
        capital = join(pc.utf8_capitalize(loc), "@", dom)
        return where(flavour < 5, title, where(flavour < 8, upper, capital))

    def spaced(rows: np.ndarray) -> pa.Array:
        flavour = sub[rows] % 10
        address = where(flavour < 3, cased(rows), canonical(rows))  # " Jean.Dupont@Gmail.com "
        return where(
            flavour % 3 == 0,
            join(" ", address, " "),
            where(flavour % 3 == 1, join(address, " "), join(" ", address)),
        )

    def gmail(rows: np.ndarray) -> pa.Array:
        loc = local.take(rows)
        flavour = sub[rows] % 4
        swapped = np.where(
            domain[rows] == pools.EMAIL_DOMAIN_INDEX["gmail.com"], "googlemail.com", "gmail.com"
        )
        tags = take(strings(_PLUS_TAGS), sub[rows] // 4 % len(_PLUS_TAGS))
        undotted = pc.replace_substring(loc, ".", "")
        has_dot = pc.match_substring(loc, ".")
        own = take(ref.domains, domain[rows])
        tagged = join(loc, "+", tags, "@", own)  # jean.dupont+promo@gmail.com
        dotless = where(has_dot.to_numpy(zero_copy_only=False), join(undotted, "@", own), tagged)
        other = pa.array(swapped, STRING)
        return by_variant(
            flavour,
            [
                lambda r: dotless.take(r),  # jeandupont@gmail.com
                lambda r: tagged.take(r),
                lambda r: join(loc.take(r), "@", other.take(r)),  # jean.dupont@googlemail.com
                lambda r: join(undotted.take(r), "@", other.take(r)),  # jeandupont@googlemail.com
            ],
        )

    def typo(rows: np.ndarray) -> pa.Array:
        slot = sub[rows] % pools.EMAIL_TYPO_SLOTS
        return join(
            local.take(rows), "@", take(ref.domain_typos, domain[rows] * pools.EMAIL_TYPO_SLOTS + slot)
        )

    def broken(rows: np.ndarray) -> pa.Array:
        loc, dom = local.take(rows), take(ref.domains, domain[rows])
        return by_variant(
            sub[rows] % 6,
            [
                lambda r: join(loc.take(r), "@"),  # jean.dupont@
                lambda r: join(
                    pc.replace_substring(loc.take(r), ".", " "), " ", dom.take(r)
                ),  # jean dupont gmail.com
                lambda r: join(loc.take(r), "@", pc.replace_substring_regex(dom.take(r), r"\.[a-z]+$", "")),
                lambda r: join(loc.take(r), "@@", dom.take(r)),
                lambda r: join(loc.take(r), dom.take(r)),  # missing @
                lambda r: join(
                    loc.take(r), "@", pc.replace_substring_regex(dom.take(r), r"\.([a-z]+)$", ",\\1")
                ),
            ],
        )

    def junk_address(rows: np.ndarray) -> pa.Array:
        return take(strings(pools.JUNK_EMAILS), sub[rows] % len(pools.JUNK_EMAILS))

    rendered = by_variant(variant, [canonical, cased, spaced, gmail, typo, broken, junk_address])
    # A person without e-mail leaves the field empty (junk placeholders are typed by people who have one).
    return null_where(pc.is_null(local).to_numpy(zero_copy_only=False), rendered)


# --------------------------------------------------------------------------------------------- phones

PHONE_STYLES: tuple[str, ...] = (
    "nat_compact",
    "nat_spaced",
    "nat_dotted",
    "intl_spaced",
    "e164",
    "intl_00",
    "intl_00_compact",
    "intl_trunk",
)
#: How people type phones in forms (CRM, loyalty, support).
TYPED_PHONE_STYLES: dict[str, float] = {
    "nat_compact": 30,
    "nat_spaced": 30,
    "nat_dotted": 10,
    "intl_spaced": 12,
    "e164": 8,
    "intl_00": 4,
    "intl_00_compact": 2,
    "intl_trunk": 4,
}
#: How e-commerce platforms store phones (mostly normalised to E.164).
PLATFORM_PHONE_STYLES: dict[str, float] = {"e164": 60, "nat_compact": 20, "intl_spaced": 10, "nat_spaced": 10}


@functools.cache
def _phone_templates(kind: str) -> list[list[str]]:
    """[country][style] -> template, falling back to the national spaced style when a country lacks one."""
    plans = pools.MOBILE_PLANS if kind == "mobile" else pools.LANDLINE_PLANS
    return [
        [plans[code].templates.get(style, plans[code].templates["nat_spaced"]) for style in PHONE_STYLES]
        for code in pools.COUNTRIES
    ]


def apply_phone_template(nsn: pa.Array, template: str) -> pa.Array:
    """Lay the NSN digits into a template: '0# ## ## ## ##' + '612345678' -> '06 12 34 56 78'."""
    parts: list[pa.Array | str] = []
    digit = 0
    literal = ""
    i = 0
    while i < len(template):
        if template[i] == "#":
            if literal:
                parts.append(literal)
                literal = ""
            run = 0
            while i < len(template) and template[i] == "#":
                run += 1
                i += 1
            parts.append(pc.utf8_slice_codeunits(nsn, digit, digit + run))
            digit += run
        else:
            literal += template[i]
            i += 1
    if literal:
        parts.append(literal)
    return join(*parts)


def render_phones(
    nsn: pa.Array,
    country: np.ndarray,
    kind: str,
    rng: np.random.Generator,
    styles: Mapping[str, float],
    *,
    impossible: float,
    junk: float,
) -> pa.Array:
    """Phones in national/international formats; impossible (truncated) and junk values at small rates."""
    n = len(nsn)
    templates = _phone_templates(kind)
    style = pick(rng, n, [styles.get(s, 0.0) for s in PHONE_STYLES])
    country = np.asarray(country, dtype=np.int64)
    variant = country * len(PHONE_STYLES) + style
    builders = [
        (lambda rows, t=templates[c][s]: apply_phone_template(nsn.take(rows), t))
        for c in range(len(pools.COUNTRIES))
        for s in range(len(PHONE_STYLES))
    ]
    rendered = by_variant(variant, builders)
    draw = rng.random(n)
    truncated = pc.utf8_slice_codeunits(rendered, 0, 5)  # "06 12"
    rendered = where(draw < impossible, truncated, rendered)
    junk_values = take(strings(pools.JUNK_PHONES), rng.integers(0, len(pools.JUNK_PHONES), n))
    rendered = where((draw >= impossible) & (draw < impossible + junk), junk_values, rendered)
    return null_where(pc.is_null(nsn).to_numpy(zero_copy_only=False), rendered)


def phone_e164(nsn: pa.Array, country: np.ndarray) -> pa.Array:
    """The canonical +<country code><NSN> form (ground truth)."""
    codes = strings(["+" + pools.MOBILE_PLANS[c].calling_code for c in pools.COUNTRIES])
    return join(take(codes, country), nsn)


# --------------------------------------------------------------------------------------------- dates & times


def civil_from_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day) of days since 1970-01-01."""
    d64 = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = d64.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d64 - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


DATE_FORMATS: tuple[str, ...] = ("iso", "dmy_slash", "dmy_dot", "compact")
#: Birth dates typed into forms.
TYPED_DATE_FORMATS: dict[str, float] = {"iso": 35, "dmy_slash": 45, "dmy_dot": 10, "compact": 10}


def format_dates(days: np.ndarray, fmt: str) -> pa.Array:
    """Dates in one format: iso 1985-03-07, dmy_slash 07/03/1985, dmy_dot 07.03.1985, compact 19850307."""
    y, m, d = civil_from_days(days)
    n = len(y)
    layouts = {
        "iso": [(y, 4), "-", (m, 2), "-", (d, 2)],
        "dmy_slash": [(d, 2), "/", (m, 2), "/", (y, 4)],
        "dmy_dot": [(d, 2), ".", (m, 2), ".", (y, 4)],
        "compact": [(y, 4), (m, 2), (d, 2)],
    }
    return fixed_format(n, layouts[fmt])


def render_dates(
    days: np.ndarray, rng: np.random.Generator, formats: Mapping[str, float], *, impossible: float
) -> pa.Array:
    """Dates in mixed formats, a few impossible ("31/02/1985", "1985-13-01", "not a date")."""
    days = np.asarray(days, dtype=np.int64)
    n = len(days)
    choice = pick(rng, n, [formats.get(f, 0.0) for f in DATE_FORMATS])
    rendered = by_variant(choice, [lambda rows, f=f: format_dates(days[rows], f) for f in DATE_FORMATS])
    bad = rng.random(n) < impossible
    if bad.any():
        year = int_to_strings(civil_from_days(days)[0])
        flavour = rng.integers(0, 5, n)
        wrong = by_variant(
            flavour,
            [
                lambda r: join("31/02/", year.take(r)),
                lambda r: join(year.take(r), "-13-01"),
                lambda r: repeat("not a date", len(r)),
                lambda r: repeat("00/00/0000", len(r)),
                lambda r: join("30.02.", year.take(r)),
            ],
        )
        rendered = where(bad, wrong, rendered)
    return rendered


class ZoneOffsets:
    """UTC offsets of the zones in ``pools.ZONES`` for every hour of a period (DST handled by pandas)."""

    def __init__(self, first_year: int, last_year: int) -> None:
        start = pd.Timestamp(year=first_year, month=1, day=1, tz="UTC")
        hours = pd.date_range(start, pd.Timestamp(year=last_year + 1, month=1, day=1, tz="UTC"), freq="h")
        self.base = int(start.timestamp())
        self.hours = len(hours)
        utc_naive = hours.tz_localize(None)
        self.offsets = np.stack(
            [
                ((hours.tz_convert(zone).tz_localize(None) - utc_naive) // pd.Timedelta(seconds=1)).to_numpy()
                for zone in pools.ZONES
            ]
        ).astype(np.int64)

    def offset(self, seconds: np.ndarray, zone: np.ndarray) -> np.ndarray:
        """Offset in seconds of each instant in its zone."""
        hour = np.clip((np.asarray(seconds, dtype=np.int64) - self.base) // 3600, 0, self.hours - 1)
        return self.offsets[np.asarray(zone, dtype=np.int64), hour]


TIMESTAMP_FORMATS: tuple[str, ...] = ("iso_offset", "iso_z", "iso_ms_z", "naive_utc", "fr_utc", "epoch")


def _clock(seconds: np.ndarray) -> tuple[np.ndarray, ...]:
    seconds = np.asarray(seconds, dtype=np.int64)
    days, second_of_day = np.divmod(seconds, SECONDS_PER_DAY)
    y, m, d = civil_from_days(days)
    return y, m, d, second_of_day // 3600, second_of_day // 60 % 60, second_of_day % 60


def format_naive(seconds: np.ndarray, fmt: str = "iso_space") -> pa.Array:
    """Wall-clock text of (already shifted) seconds: iso_space 2025-03-05 14:22:01, fr 05/03/2025 14:22."""
    y, m, d, hh, mm, ss = _clock(seconds)
    if fmt == "fr":
        return fixed_format(len(y), [(d, 2), "/", (m, 2), "/", (y, 4), " ", (hh, 2), ":", (mm, 2)])
    if fmt == "date":
        return fixed_format(len(y), [(y, 4), "-", (m, 2), "-", (d, 2)])
    return fixed_format(len(y), [(y, 4), "-", (m, 2), "-", (d, 2), " ", (hh, 2), ":", (mm, 2), ":", (ss, 2)])


def format_iso_offset(seconds: np.ndarray, offset: np.ndarray) -> pa.Array:
    """ISO 8601 local time with its offset: 2025-03-05T14:22:01+01:00."""
    offset = np.asarray(offset, dtype=np.int64)
    y, m, d, hh, mm, ss = _clock(np.asarray(seconds, dtype=np.int64) + offset)
    text = fixed_format(
        len(y),
        [
            (y, 4),
            "-",
            (m, 2),
            "-",
            (d, 2),
            "T",
            (hh, 2),
            ":",
            (mm, 2),
            ":",
            (ss, 2),
            "+",
            (np.abs(offset) // 3600, 2),
            ":",
            (np.abs(offset) // 60 % 60, 2),
        ],
    )
    negative = offset < 0
    if negative.any():
        text = where(negative, pc.replace_substring(text, "+", "-"), text)
    return text


def format_iso_utc(seconds: np.ndarray, millis: np.ndarray | None = None) -> pa.Array:
    """ISO 8601 UTC: 2025-03-05T13:22:01Z (or with milliseconds)."""
    y, m, d, hh, mm, ss = _clock(seconds)
    layout: list = [(y, 4), "-", (m, 2), "-", (d, 2), "T", (hh, 2), ":", (mm, 2), ":", (ss, 2)]
    layout += [".", (millis, 3), "Z"] if millis is not None else ["Z"]
    return fixed_format(len(y), layout)


def render_timestamps(
    seconds: np.ndarray,
    zone: np.ndarray,
    offsets: ZoneOffsets,
    rng: np.random.Generator,
    formats: Mapping[str, float],
) -> pa.Array:
    """Timestamps in mixed formats. Naive ones (naive_utc, fr_utc) are UTC wall-clock time."""
    seconds = np.asarray(seconds, dtype=np.int64)
    zone = np.asarray(zone, dtype=np.int64)
    n = len(seconds)
    choice = pick(rng, n, [formats.get(f, 0.0) for f in TIMESTAMP_FORMATS])
    millis = rng.integers(0, 1000, n)
    builders = [
        lambda r: format_iso_offset(seconds[r], offsets.offset(seconds[r], zone[r])),
        lambda r: format_iso_utc(seconds[r]),
        lambda r: format_iso_utc(seconds[r], millis[r]),
        lambda r: format_naive(seconds[r]),
        lambda r: format_naive(seconds[r], "fr"),
        lambda r: int_to_strings(seconds[r]),
    ]
    return by_variant(choice, builders)


# --------------------------------------------------------------------------------------------- money

MONEY_FORMATS: tuple[str, ...] = ("dot", "short", "comma", "fr_symbol", "code", "symbol")


def _grouped(units: np.ndarray, separator: str) -> pa.Array:
    """Integer part with a thousands separator: 1234567 -> '1 234 567'."""
    units = np.asarray(units, dtype=np.int64)
    plain = int_to_strings(units)
    if not (units >= 1000).any():
        return plain
    thousands = join(int_to_strings(units // 1000), separator, int_to_strings(units % 1000, 3))
    millions = join(
        int_to_strings(units // 1_000_000),
        separator,
        int_to_strings(units // 1000 % 1000, 3),
        separator,
        int_to_strings(units % 1000, 3),
    )
    return where(units >= 1_000_000, millions, where(units >= 1000, thousands, plain))


def render_money(
    cents: np.ndarray,
    currency: np.ndarray,
    rng: np.random.Generator,
    formats: Mapping[str, float],
    *,
    bad: float,
) -> pa.Array:
    """Amounts as text: 1234.56, 12.5, 45,90, 1 234,56 €, EUR 12.50, £12.50; a few unreadable ones."""
    cents = np.asarray(cents, dtype=np.int64)
    currency = np.asarray(currency, dtype=np.int64)
    n = len(cents)
    sign = strings(["", "-"]).take(pa.array((cents < 0).astype(np.int64)))
    units, fraction = np.divmod(np.abs(cents), 100)
    unit_text = int_to_strings(units)
    fraction_text = int_to_strings(fraction, 2)
    codes = strings(pools.CURRENCIES)
    symbols = strings([pools.CURRENCY_SYMBOL[c] for c in pools.CURRENCIES])
    prefix_symbols = strings(
        [
            pools.CURRENCY_SYMBOL[c] + (" " if len(pools.CURRENCY_SYMBOL[c]) > 1 else "")
            for c in pools.CURRENCIES
        ]
    )
    choice = pick(rng, n, [formats.get(f, 0.0) for f in MONEY_FORMATS])

    def short(r: np.ndarray) -> pa.Array:
        f = fraction[r]
        one_decimal = int_to_strings(f // 10)
        body = where(
            f == 0,
            unit_text.take(r),
            where(
                f % 10 == 0,
                join(unit_text.take(r), ".", one_decimal),
                join(unit_text.take(r), ".", fraction_text.take(r)),
            ),
        )
        return join(sign.take(r), body)

    no_break = rng.random(n) < 0.3  # French-locale exports group thousands with no-break spaces

    def fr_symbol(r: np.ndarray) -> pa.Array:
        grouped = where(no_break[r], _grouped(units[r], NBSP), _grouped(units[r], " "))
        return join(sign.take(r), grouped, ",", fraction_text.take(r), " ", take(symbols, currency[r]))

    builders = [
        lambda r: join(sign.take(r), unit_text.take(r), ".", fraction_text.take(r)),
        short,
        lambda r: join(sign.take(r), unit_text.take(r), ",", fraction_text.take(r)),
        fr_symbol,
        lambda r: join(
            take(codes, currency[r]), " ", sign.take(r), unit_text.take(r), ".", fraction_text.take(r)
        ),
        lambda r: join(
            sign.take(r), take(prefix_symbols, currency[r]), unit_text.take(r), ".", fraction_text.take(r)
        ),
    ]
    rendered = by_variant(choice, builders)
    return replace_some(rendered, rng, bad, ("abc", "#VALUE!", "12,34,56", "?"))


# --------------------------------------------------------------------------------------------- places


def render_countries(
    country: np.ndarray, rng: np.random.Generator, slot_weights: Sequence[float]
) -> pa.Array:
    """Country as ISO code or a name in several languages (slots of pools.COUNTRY_SPELLINGS)."""
    slot = pick(rng, len(country), slot_weights)
    return take(reference().country_spellings, np.asarray(country) * pools.COUNTRY_SPELLING_SLOTS + slot)


#: Country spelling slot weights: ISO2, French name, ISO3, local name, UPPER, lower/alt, English, other.
FORM_COUNTRY_SLOTS = (12, 40, 4, 20, 8, 6, 6, 4)
ISO_COUNTRY_SLOTS = (90, 4, 2, 2, 0, 0, 2, 0)


def render_postcodes(
    postcode: pa.Array, country: np.ndarray, rng: np.random.Generator, *, lost_zero: float
) -> pa.Array:
    """Postal codes as typed: leading zero lost (01000 -> 1000), UK/NL spacing and case varied."""
    n = len(postcode)
    country = np.asarray(country, dtype=np.int64)
    draw = rng.random(n)
    lost = pc.utf8_ltrim(postcode, "0")
    starts_with_zero = pc.starts_with(postcode, "0").to_numpy(zero_copy_only=False)
    numeric = np.isin(country, [pools.COUNTRY_INDEX[c] for c in ("FR", "DE", "ES", "IT", "US")])
    result = where(starts_with_zero & numeric & (draw < lost_zero), lost, postcode)
    spaced = np.isin(country, [pools.COUNTRY_INDEX["GB"], pools.COUNTRY_INDEX["NL"]])
    result = where(spaced & (draw < 0.25), pc.replace_substring(result, " ", ""), result)
    result = where(spaced & (draw > 0.9), pc.utf8_lower(result), result)
    return result


def render_cities(city: np.ndarray, rng: np.random.Generator, slot_weights: Sequence[float]) -> pa.Array:
    """City names: canonical, UPPER without accents, aliases (St-Étienne, Brussel), no hyphens, lower."""
    slot = pick(rng, len(city), slot_weights)
    return take(reference().cities.variants, np.asarray(city) * CITY_SLOTS + slot)


FORM_CITY_SLOTS = (70, 10, 6, 4, 6, 4)
STAFF_CITY_SLOTS = (35, 45, 6, 4, 6, 4)

_HOUSE_SUFFIXES = ("", " bis", " ter", "B", "A", " B")


def render_streets(
    street: np.ndarray,
    house_no: np.ndarray,
    house_suffix: np.ndarray,
    country: np.ndarray,
    rng: np.random.Generator,
    slot_weights: Sequence[float],
) -> pa.Array:
    """Street lines: '12 rue de la République', '12, av. Foch', 'Hauptstr. 12', 'C/ Mayor, 12'."""
    ref = reference()
    n = len(street)
    country = np.asarray(country, dtype=np.int64)
    slot = pick(rng, n, slot_weights)
    name = take(ref.streets.variants, np.asarray(street) * STREET_SLOTS + slot)
    number = join(int_to_strings(house_no), take(strings(_HOUSE_SUFFIXES), house_suffix))
    comma = rng.random(n) < 0.15
    number_first = ref.streets.number_first[country]
    first = where(comma, join(number, ", ", name), join(number, " ", name))
    last = where(comma, join(name, ", ", number), join(name, " ", number))
    return where(number_first, first, last)


STREET_FORM_SLOTS = (55, 20, 15, 5, 5)
STREET_UPPER_SLOTS = (20, 10, 10, 50, 10)
