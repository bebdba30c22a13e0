"""The product catalogue (shared by the shop and the stores) and the advertising campaigns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from . import pools
from .config import GeneratorConfig
from .noise import SECONDS_PER_DAY, format_dates, render_money
from .schema import TABLE_COLUMNS
from .text import (
    STRING,
    fixed_format,
    int_to_strings,
    pick,
    stream_key,
    strings,
    strip_accents_python,
    take,
    where,
)

PRODUCTS_PER_SUBCATEGORY = 8


@dataclass(frozen=True)
class Catalog:
    product_id: pa.Array
    price_cents: np.ndarray  # list price in EUR cents
    popularity: np.ndarray  # sampling weights, sum 1
    url_path: pa.Array  # /p/<slug>-<product id>
    name: pa.Array
    table: pa.Table

    def __len__(self) -> int:
        return len(self.price_cents)

    def pick(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Products bought or viewed: best sellers come up more often."""
        return pick(rng, n, self.popularity)


def _slug(text: str) -> str:
    folded = strip_accents_python(text).lower()
    return "-".join("".join(ch if ch.isalnum() else " " for ch in folded).split())


def build_catalog(config: GeneratorConfig) -> Catalog:
    """About 200 products: Femme, Homme, Enfant, Maison, Beauté, Sport, Accessoires (same in all batches)."""
    rng = np.random.default_rng(np.random.SeedSequence([config.seed, stream_key("catalog")]))
    rows: list[tuple[str, str, str, str, int, int]] = []
    for category, subcategory, noun, low, high, brands in pools.CATALOGUE_SPECS:
        for _ in range(PRODUCTS_PER_SUBCATEGORY):
            qualifier = pools.PRODUCT_QUALIFIERS[rng.integers(len(pools.PRODUCT_QUALIFIERS))]
            colour = pools.PRODUCT_COLOURS[rng.integers(len(pools.PRODUCT_COLOURS))]
            brand = brands[rng.integers(len(brands))]
            euros = int(rng.integers(low, high + 1))
            cents = euros * 100 + int(rng.choice([0, 90, 99, 50]))
            created_days = int(rng.integers(0, 900))
            rows.append((f"{noun} {qualifier} - {colour}", category, subcategory, brand, cents, created_days))
    n = len(rows)
    number = np.arange(1, n + 1)
    product_id = fixed_format(n, ["PRD", (number, 5)])
    category_codes = {c: strip_accents_python(c)[:3].upper() for c, *_ in pools.CATALOGUE_SPECS}
    sku = pa.array([f"AN-{category_codes[r[1]]}-{10000 + 37 * i:05d}" for i, r in enumerate(rows)], STRING)
    price = np.array([r[4] for r in rows], dtype=np.int64)
    start_day = (config.start_date - dt.date(1970, 1, 1)).days
    created = start_day - np.array([r[5] for r in rows]) - 30
    popularity = 1.0 / np.power(rng.permutation(n) + 3.0, 0.8)
    table = pa.Table.from_arrays(
        [
            product_id,
            sku,
            strings([r[0] for r in rows]),
            strings([r[1] for r in rows]),
            strings([r[2] for r in rows]),
            strings([r[3] for r in rows]),
            render_money(price, np.zeros(n, dtype=np.int64), rng, {"dot": 90, "short": 10}, bad=0.0),
            pa.repeat(pa.scalar("EUR", STRING), n),
            format_dates(created, "iso"),
        ],
        names=list(TABLE_COLUMNS["shop_products"]),
    )
    return Catalog(
        product_id=product_id,
        price_cents=price,
        popularity=popularity / popularity.sum(),
        url_path=strings([f"/p/{_slug(r[0])}-prd{i + 1:05d}" for i, r in enumerate(rows)]),
        name=strings([r[0] for r in rows]),
        table=table,
    )


# --------------------------------------------------------------------------------------------- campaigns

ADS_CHANNELS: tuple[str, ...] = ("google_ads", "meta", "tiktok", "linkedin", "microsoft_ads")
_CHANNEL_SPELLINGS: dict[str, tuple[str, ...]] = {
    "google_ads": ("google_ads", "Google Ads", "GOOGLE_ADS"),
    "meta": ("meta", "Meta", "META"),
    "tiktok": ("tiktok", "TikTok", "TIKTOK"),
    "linkedin": ("linkedin", "LinkedIn", "LINKEDIN"),
    "microsoft_ads": ("microsoft_ads", "Microsoft Ads", "bing"),
}


@dataclass(frozen=True)
class Campaigns:
    """Every campaign over the generated years: which days it runs and what it spends."""

    channel: np.ndarray  # index in ADS_CHANNELS
    name: tuple[str, ...]
    campaign_id: tuple[str, ...]
    first_day: np.ndarray  # days since epoch, inclusive
    last_day: np.ndarray
    budget: np.ndarray  # mean daily spend, EUR
    currency: tuple[str, ...]

    def active(self, day: np.ndarray, channel: int) -> np.ndarray:
        """(len(day), campaigns) mask of campaigns of ``channel`` running on each day."""
        mask = (self.channel == channel)[None, :]
        return mask & (self.first_day[None, :] <= day[:, None]) & (self.last_day[None, :] >= day[:, None])

    def pick(self, rng: np.random.Generator, day: np.ndarray, channel: np.ndarray) -> np.ndarray:
        """A running campaign per (day, channel), weighted by budget (-1 when none runs)."""
        result = np.full(len(day), -1, dtype=np.int64)
        for c in range(len(ADS_CHANNELS)):
            rows = np.flatnonzero(channel == c)
            if not len(rows):
                continue
            weights = self.active(day[rows], c) * self.budget[None, :]
            total = weights.sum(axis=1)
            cumulative = np.cumsum(weights, axis=1)
            draw = rng.random(len(rows)) * total
            choice = (cumulative <= draw[:, None]).sum(axis=1)
            result[rows] = np.where(total > 0, np.minimum(choice, len(self.budget) - 1), -1)
        return result


def _campaign_id(channel: str, name: str) -> str:
    """Stable platform-looking ids (Google: 11 digits, Meta: 18 digits starting 2385, ...)."""
    seed = stream_key(f"{channel}/{name}")
    rng = np.random.default_rng(seed)
    digits = {"google_ads": 11, "meta": 14, "tiktok": 19, "linkedin": 9, "microsoft_ads": 9}[channel]
    body = "".join(str(d) for d in rng.integers(0, 10, digits))
    return ("2385" + body) if channel == "meta" else str(rng.integers(1, 10)) + body[1:]


def build_campaigns(first_day: int, last_day: int) -> Campaigns:
    """Evergreen campaigns over the whole span plus seasonal ones (sales, Black Friday, ...) each year."""
    rows: list[tuple[int, str, int, int, float]] = []
    for channel, name, budget in pools.AD_CAMPAIGNS:
        rows.append((ADS_CHANNELS.index(channel), name, first_day, last_day, budget))
    first_year = (dt.date(1970, 1, 1) + dt.timedelta(days=first_day)).year
    last_year = (dt.date(1970, 1, 1) + dt.timedelta(days=last_day)).year
    for year in range(first_year, last_year + 1):
        for channel, template, month, day_from, day_to, budget in pools.SEASONAL_CAMPAIGNS:
            start = (dt.date(year, month, day_from) - dt.date(1970, 1, 1)).days
            stop = (dt.date(year, month, day_to) - dt.date(1970, 1, 1)).days
            if stop >= first_day and start <= last_day:
                rows.append((ADS_CHANNELS.index(channel), template.format(year=year), start, stop, budget))
    return Campaigns(
        channel=np.array([r[0] for r in rows]),
        name=tuple(r[1] for r in rows),
        campaign_id=tuple(_campaign_id(ADS_CHANNELS[r[0]], r[1]) for r in rows),
        first_day=np.array([r[2] for r in rows]),
        last_day=np.array([r[3] for r in rows]),
        budget=np.array([r[4] for r in rows], dtype=np.float64),
        currency=tuple("CHF" if r[1].startswith("CH_") else "EUR" for r in rows),
    )


def build_ads_spend(campaigns: Campaigns, rng: np.random.Generator, window: tuple[int, int]) -> pa.Table:
    """One row per day and running campaign inside ``window`` (epoch seconds)."""
    first = window[0] // SECONDS_PER_DAY
    last = (window[1] - 1) // SECONDS_PER_DAY
    days = np.arange(first, last + 1)
    running = (campaigns.first_day[None, :] <= days[:, None]) & (campaigns.last_day[None, :] >= days[:, None])
    day_index, campaign = np.nonzero(running)
    day = days[day_index]
    n = len(day)
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    weekly = np.where(weekday >= 5, 1.15, 1.0)
    spend = campaigns.budget[campaign] * weekly * rng.lognormal(0.0, 0.25, n)
    cents = np.round(spend * 100).astype(np.int64)
    cpm = np.array([6.0, 5.0, 4.0, 28.0, 7.0])[campaigns.channel[campaign]] * rng.lognormal(0.0, 0.2, n)
    impressions = np.round(spend / cpm * 1000).astype(np.int64)
    ctr = np.array([0.045, 0.012, 0.009, 0.006, 0.04])[campaigns.channel[campaign]] * rng.lognormal(
        0.0, 0.3, n
    )
    clicks = np.round(impressions * ctr).astype(np.int64)
    channel_names = [_CHANNEL_SPELLINGS[ch] for ch in ADS_CHANNELS]
    spelling = pick(rng, n, (90, 6, 4))
    channel_text = strings([s for names in channel_names for s in names])
    iso = format_dates(day, "iso")
    french = format_dates(day, "dmy_slash")
    currency_index = np.array([pools.CURRENCY_INDEX[campaigns.currency[c]] for c in campaign], dtype=np.int64)
    return pa.Table.from_arrays(
        [
            where(rng.random(n) < 0.95, iso, french),
            take(channel_text, campaigns.channel[campaign] * 3 + spelling),
            take(strings(campaigns.campaign_id), campaign),
            take(strings(campaigns.name), campaign),
            render_money(cents, currency_index, rng, {"dot": 80, "comma": 15, "short": 5}, bad=0.0),
            take(strings(pools.CURRENCIES), currency_index),
            int_to_strings(impressions),
            int_to_strings(clicks),
        ],
        names=list(TABLE_COLUMNS["ads_spend"]),
    )
