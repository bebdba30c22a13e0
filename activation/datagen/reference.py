"""The pools of ``pools.py`` turned into flat Arrow arrays, each entry with its spelling variants.

Variants are computed once per pool entry (a few hundred entries, so plain Python is fine here); per-row
noise then is a single ``take`` at ``entry * slots + variant``, which keeps record generation vectorised.
"""

from __future__ import annotations

import functools
import random
import zlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from . import pools
from .text import strings, strip_accents_python

#: Name variant slots (see NAME_SLOT_*): canonical, no accents, UPPER, UPPER no accents, lower, 3 typos,
#: 2 particle/compound variants.
NAME_SLOTS = 10
NAME_CANONICAL, NAME_NO_ACCENTS, NAME_UPPER, NAME_UPPER_NO_ACCENTS, NAME_LOWER = 0, 1, 2, 3, 4
NAME_TYPOS = (5, 6, 7)
NAME_PARTICLE_A, NAME_PARTICLE_B = 8, 9

#: City variant slots: canonical, UPPER no accents (postal norm), alias 1, alias 2, no hyphens, lower.
CITY_SLOTS = 6
#: Street variant slots: canonical, capitalised type, abbreviated type, UPPER no accents, no accents.
STREET_SLOTS = 5

_KEYBOARD_NEIGHBOURS = {
    "a": "zqs",
    "e": "rzd",
    "i": "uok",
    "o": "ipl",
    "u": "yi",
    "n": "bm",
    "m": "nl",
    "r": "et",
    "t": "ry",
    "s": "adz",
    "l": "km",
    "c": "xv",
    "d": "sf",
}


@dataclass(frozen=True)
class NamePool:
    """First or last names of every country, flattened, with variants and e-mail slugs."""

    names: tuple[str, ...]
    variants: pa.Array  # len(names) * NAME_SLOTS
    slug: pa.Array  # e-mail form: ascii lower, no spaces/apostrophes, hyphens kept
    slug_compact: pa.Array  # e-mail form without hyphens/dots either
    initial: pa.Array
    group_offset: dict[tuple[str, int], int]  # (country, gender or 0) -> first index
    group_size: dict[tuple[str, int], int]


@dataclass(frozen=True)
class CityPool:
    cities: tuple[pools.City, ...]
    variants: pa.Array  # len(cities) * CITY_SLOTS
    country: np.ndarray  # country index per city
    region: np.ndarray
    zone: np.ndarray
    postcode_offset: np.ndarray  # into postcodes
    postcode_count: np.ndarray
    postcodes: pa.Array
    by_country: dict[str, np.ndarray]  # city indices of a country
    weights_by_country: dict[str, np.ndarray]


@dataclass(frozen=True)
class StreetPool:
    variants: pa.Array  # combos * STREET_SLOTS
    number_first: np.ndarray  # per country index
    type_count: dict[str, int]
    name_count: dict[str, int]
    type_weights: dict[str, np.ndarray]
    offset: dict[str, int]  # first combo of the country; combo = offset + type * name_count + name


@dataclass(frozen=True)
class Reference:
    first: NamePool
    last: NamePool
    cities: CityPool
    streets: StreetPool
    country_spellings: pa.Array  # country * COUNTRY_SPELLING_SLOTS + slot
    languages: pa.Array  # country * 6 + slot
    salutations: pa.Array  # (country * 2 + gender) * 4 + slot
    domains: pa.Array
    domain_typos: pa.Array  # domain * EMAIL_TYPO_SLOTS + slot
    domain_is_gmail: np.ndarray
    domain_weights: dict[str, np.ndarray]  # per country, over all domains
    currencies: pa.Array
    country_codes: pa.Array


def _typos(name: str) -> list[str]:
    """Three plausible one-letter slips of a name: a dropped, a swapped and a mistyped letter."""
    rng = random.Random(zlib.crc32(name.encode("utf-8")))
    inner = [i for i, ch in enumerate(name) if ch.isalpha() and i > 0]
    if not inner:
        return [name + name, name, name]
    doubled = name[: inner[0]] + name[inner[0]] + name[inner[0] :]
    i = rng.choice(inner)
    dropped = name[:i] + name[i + 1 :] if len(inner) >= 4 else doubled  # Dupnt, but not Zé for Zoé
    pairs = [j for j in inner[:-1] if name[j].islower() and name[j + 1].islower() and name[j] != name[j + 1]]
    j = rng.choice(pairs) if pairs else None
    swapped = name[:j] + name[j + 1] + name[j] + name[j + 2 :] if j is not None else doubled
    m = rng.choice(inner)
    replacement = rng.choice(_KEYBOARD_NEIGHBOURS.get(name[m].lower(), "e"))
    if name[m].isupper():
        replacement = replacement.upper()
    mistyped = name[:m] + replacement + name[m + 1 :] if replacement != name[m] else doubled
    return [dropped, swapped, mistyped]


_PARTICLES = (
    "de la ",
    "de l'",
    "du ",
    "de ",
    "d'",
    "van der ",
    "van den ",
    "van de ",
    "van 't ",
    "van ",
    "von der ",
)
_PARTICLES += ("von ", "le ", "la ", "l'", "o'", "mc", "mac", "dell'", "del ", "della ", "di ", "lo ", "n'")


def _has_particle(name: str) -> bool:
    lowered = name.lower()
    return any(lowered.startswith(p) for p in _PARTICLES) or " " in name or "'" in name


def _title_particles(name: str) -> str:
    """'de la Fontaine' -> 'De La Fontaine', "d'Artagnan" -> "D'Artagnan"."""
    parts = name.replace("'", "' ").split(" ")
    return " ".join(p[:1].upper() + p[1:] for p in parts if p).replace("' ", "'")


def _name_variants(name: str, is_last: bool) -> list[str]:
    folded = strip_accents_python(name)
    variants = [name, folded, name.upper(), folded.upper(), name.lower(), *_typos(name)]
    if is_last and _has_particle(name):
        variant_a = name.replace(" ", "").replace("'", "").capitalize()  # Delafontaine, Dartagnan, Obrien
        variant_b = _title_particles(name).replace("'", "’") if "'" in name else _title_particles(name)
    elif "-" in name:
        variant_a = name.replace("-", " ")  # Jean Pierre, Lefèvre Dubois
        variant_b = name.split("-")[0]  # Jean, Lefèvre
    elif " " in name:  # María José, Anna Maria
        variant_a = name.replace(" ", "-")
        variant_b = name.split(" ")[0]
    else:
        variant_a = variant_b = name
    variants += [variant_a, variant_b]
    assert len(variants) == NAME_SLOTS
    return variants


def _slug(name: str, keep_hyphen: bool) -> str:
    folded = strip_accents_python(name).lower()
    for ch in (" ", "'", "’", "."):
        folded = folded.replace(ch, "")
    return folded if keep_hyphen else folded.replace("-", "")


def _build_names(is_last: bool) -> NamePool:
    names: list[str] = []
    group_offset: dict[tuple[str, int], int] = {}
    group_size: dict[tuple[str, int], int] = {}
    for country in pools.COUNTRIES:
        groups = [pools.LAST_NAMES[country]] if is_last else list(pools.FIRST_NAMES[country])
        for gender, group in enumerate(groups):
            group_offset[(country, gender)] = len(names)
            group_size[(country, gender)] = len(group)
            names.extend(group)
    variants = [v for name in names for v in _name_variants(name, is_last)]
    return NamePool(
        names=tuple(names),
        variants=strings(variants),
        slug=strings([_slug(n, keep_hyphen=True) for n in names]),
        slug_compact=strings([_slug(n, keep_hyphen=False) for n in names]),
        initial=strings([_slug(n, keep_hyphen=False)[:1] for n in names]),
        group_offset=group_offset,
        group_size=group_size,
    )


def _city_variants(city: pools.City) -> list[str]:
    folded = strip_accents_python(city.name)
    aliases = list(city.aliases)
    alias_1 = aliases[0] if aliases else folded
    alias_2 = aliases[1] if len(aliases) > 1 else (aliases[0] if aliases else city.name.lower())
    return [city.name, folded.upper(), alias_1, alias_2, folded.replace("-", " "), city.name.lower()]


def _build_cities() -> CityPool:
    cities = pools.CITIES
    postcodes: list[str] = []
    offsets, counts = [], []
    for city in cities:
        offsets.append(len(postcodes))
        counts.append(len(city.postcodes))
        postcodes.extend(city.postcodes)
    country = np.array([pools.COUNTRY_INDEX[c.country] for c in cities], dtype=np.int64)
    by_country = {code: np.flatnonzero(country == i) for i, code in enumerate(pools.COUNTRIES)}
    weights = {
        code: np.array([cities[i].weight for i in idx], dtype=np.float64) for code, idx in by_country.items()
    }
    return CityPool(
        cities=cities,
        variants=strings([v for c in cities for v in _city_variants(c)]),
        country=country,
        region=np.array([c.region for c in cities], dtype=np.int64),
        zone=np.array([c.zone for c in cities], dtype=np.int64),
        postcode_offset=np.array(offsets, dtype=np.int64),
        postcode_count=np.array(counts, dtype=np.int64),
        postcodes=strings(postcodes),
        by_country=by_country,
        weights_by_country={k: v / v.sum() for k, v in weights.items()},
    )


def _street_variants(street_type: pools.StreetType, name: str, abbreviation: str) -> list[str]:
    if street_type.suffix is not None:  # Haupt + straße, High + " " + Street
        canonical = name + street_type.suffix + street_type.full
        capitalised = canonical
        abbreviated = name + street_type.suffix + abbreviation
    else:
        canonical = f"{street_type.full} {name}"
        capitalised = f"{street_type.full[:1].upper()}{street_type.full[1:]} {name}"
        abbreviated = f"{abbreviation} {name}"
    folded = strip_accents_python(canonical)
    return [canonical, capitalised, abbreviated, folded.upper(), folded]


def _build_streets() -> StreetPool:
    variants: list[str] = []
    offset, type_count, name_count, type_weights = {}, {}, {}, {}
    number_first = np.zeros(len(pools.COUNTRIES), dtype=bool)
    for i, country in enumerate(pools.COUNTRIES):
        style = pools.STREET_STYLES[country]
        number_first[i] = style.number_first
        offset[country] = len(variants) // STREET_SLOTS
        type_count[country] = len(style.types)
        name_count[country] = len(style.names)
        w = np.array(style.type_weights, dtype=np.float64)
        type_weights[country] = w / w.sum()
        for street_type in style.types:
            for j, name in enumerate(style.names):
                abbreviation = street_type.abbreviations[j % len(street_type.abbreviations)]
                variants.extend(_street_variants(street_type, name, abbreviation))
    return StreetPool(strings(variants), number_first, type_count, name_count, type_weights, offset)


@functools.cache
def reference() -> Reference:
    """The flattened pools (built once per process)."""
    spellings = [s for code in pools.COUNTRIES for s in pools.COUNTRY_SPELLINGS[code]]
    languages = [s for code in pools.COUNTRIES for s in pools.LANGUAGE_SPELLINGS[code]]
    salutations = [
        s for code in pools.COUNTRIES for gender in (0, 1) for s in pools.SALUTATIONS[code][gender]
    ]
    domain_typos = []
    for domain in pools.EMAIL_DOMAINS:
        domain_typos.extend(domain.typos[i % len(domain.typos)] for i in range(pools.EMAIL_TYPO_SLOTS))
    domain_weights = {}
    for code, weights in pools.EMAIL_PROVIDER_WEIGHTS.items():
        w = np.zeros(len(pools.EMAIL_DOMAINS), dtype=np.float64)
        for name, weight in weights.items():
            w[pools.EMAIL_DOMAIN_INDEX[name]] = weight
        domain_weights[code] = w / w.sum()
    return Reference(
        first=_build_names(is_last=False),
        last=_build_names(is_last=True),
        cities=_build_cities(),
        streets=_build_streets(),
        country_spellings=strings(spellings),
        languages=strings(languages),
        salutations=strings(salutations),
        domains=strings([d.name for d in pools.EMAIL_DOMAINS]),
        domain_typos=strings(domain_typos),
        domain_is_gmail=np.array([d.gmail_rules for d in pools.EMAIL_DOMAINS], dtype=bool),
        domain_weights=domain_weights,
        currencies=strings(pools.CURRENCIES),
        country_codes=strings(pools.COUNTRIES),
    )
