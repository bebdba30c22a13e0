"""Generator settings: how many people, over which period, present in which sources, with how much noise.

Every rate is a probability in [0, 1] and every mean a non-negative count; ``validate`` rejects anything else
with a ValueError naming the setting. The defaults aim at a realistic retail customer base; ``sample()`` is
the small profile of the committed demo data.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any

DEFAULT_START_DATE = date(2023, 11, 1)
#: Fixed so that output never depends on the day it is generated.
DEFAULT_END_DATE = date(2026, 10, 31)


@dataclass(frozen=True)
class PresenceRates:
    """Share of people present in each source (the share of all people unless stated otherwise)."""

    crm: float = 0.45
    #: of CRM people: a second contact for the same person (another form, an import).
    crm_duplicate: float = 0.10
    shop_account: float = 0.40
    #: of account holders whose e-mail changed: they open a second account with the new address.
    second_account_after_email_change: float = 0.5
    #: of people without an account: they buy online as guests.
    guest_buyer: float = 0.25
    #: of account holders: they also check out as guests now and then.
    account_guest_checkout: float = 0.10
    #: of people not buying online: they still browse the site.
    web_browser: float = 0.45
    pos_buyer: float = 0.50
    #: of store buyers: they hold a loyalty card.
    loyalty: float = 0.55
    #: of loyalty members: a replacement card was issued later.
    loyalty_second_card: float = 0.04
    support: float = 0.10
    #: of web visitors: they subscribe to the newsletter through a site form.
    newsletter_form: float = 0.12
    erasure_request: float = 0.005
    #: of people with both a shop account and a loyalty card: no record links the two (for follow-up bridges).
    split_cluster: float = 0.25
    #: of household members who are not the household head: some records carry the head's e-mail.
    borrowed_email: float = 0.15
    #: internal test accounts per person (each test account is a synthetic person of its own).
    test_accounts: float = 0.0005


@dataclass(frozen=True)
class VolumeRates:
    """How many records each present person produces (means of the count distributions)."""

    orders_per_account: float = 2.6
    guest_orders: float = 1.3
    lines_per_order: float = 2.0
    pos_visits: float = 2.5
    pos_visits_loyalty: float = 5.0
    lines_per_receipt: float = 1.9
    #: share of web visitors with 2 and 3 devices (the rest use one).
    second_device: float = 0.25
    third_device: float = 0.06
    browse_sessions_per_device: float = 2.5
    pages_per_session: float = 2.2
    tickets_per_requester: float = 1.4
    #: of granted consents: withdrawn later in the period.
    consent_withdrawal: float = 0.20
    #: of withdrawn consents: granted again later.
    consent_regrant: float = 0.20


@dataclass(frozen=True)
class NoiseRates:
    """How often values deviate from the person's true value.

    These are the rates of the CRM; sources typed by store staff (loyalty, till e-mails) apply
    ``staff_typing_factor`` to the casing and typo rates, and validated sources (shop accounts) halve them.
    """

    email_case: float = 0.05
    email_whitespace: float = 0.03
    #: of gmail/googlemail addresses: dots removed, +tag added or googlemail swapped.
    email_gmail_variant: float = 0.12
    email_domain_typo: float = 0.01
    email_malformed: float = 0.004
    email_junk: float = 0.004
    name_no_accents: float = 0.12
    name_upper: float = 0.08
    name_lower: float = 0.02
    name_typo: float = 0.02
    name_particle_variant: float = 0.10
    name_junk: float = 0.003
    phone_impossible: float = 0.003
    phone_junk: float = 0.004
    date_impossible: float = 0.004
    amount_bad: float = 0.001
    #: of postal codes starting with 0 (FR 01-09, DE, ES, IT, US): the leading zero is lost.
    postcode_lost_zero: float = 0.15
    #: of missing values: written as a token (N/A, null, -) instead of left empty.
    missing_token: float = 0.12
    staff_typing_factor: float = 2.5


@dataclass(frozen=True)
class FollowUpRates:
    """What a follow-up batch adds (shares of the base population unless stated otherwise)."""

    new_people: float = 0.02
    #: known people with new activity (orders, store visits, web sessions, tickets).
    active: float = 0.08
    movers: float = 0.01
    new_email: float = 0.01
    #: of split-cluster people: a new CRM contact bridges their shop account and loyalty card.
    bridge: float = 0.6
    #: of people whose records borrowed a relative's e-mail: they now give their own.
    own_email: float = 0.6
    #: of people with a granted consent: they withdraw it.
    consent_withdrawal: float = 0.05
    erasure_request: float = 0.001


@dataclass(frozen=True)
class GeneratorConfig:
    """Everything that determines the generated data; same config -> byte-identical output."""

    people: int = 2000
    seed: int = 42
    start_date: date = DEFAULT_START_DATE
    end_date: date = DEFAULT_END_DATE
    #: people generated (and written) per chunk; bounds memory. Part of the determinism contract.
    chunk_size: int = 100_000
    #: length of the period a follow-up batch covers, after the previous batch's end.
    follow_up_days: int = 30
    #: (ISO country, share of people); normalised.
    countries: tuple[tuple[str, float], ...] = (
        ("FR", 0.70),
        ("BE", 0.07),
        ("CH", 0.05),
        ("DE", 0.04),
        ("ES", 0.03),
        ("IT", 0.03),
        ("GB", 0.03),
        ("NL", 0.02),
        ("US", 0.03),
    )
    presence: PresenceRates = field(default_factory=PresenceRates)
    volume: VolumeRates = field(default_factory=VolumeRates)
    noise: NoiseRates = field(default_factory=NoiseRates)
    follow_up: FollowUpRates = field(default_factory=FollowUpRates)

    @classmethod
    def sample(cls, **overrides: Any) -> GeneratorConfig:
        """The committed demo sample: 2,000 people, seed 42, fewer records per person to stay small."""
        volume = VolumeRates(
            orders_per_account=1.7,
            guest_orders=1.1,
            lines_per_order=1.7,
            pos_visits=2.0,
            pos_visits_loyalty=3.5,
            lines_per_receipt=1.6,
            second_device=0.2,
            third_device=0.04,
            browse_sessions_per_device=1.1,
            pages_per_session=1.4,
        )
        values: dict[str, Any] = {"people": 2000, "seed": 42, "volume": volume}
        values.update(overrides)
        return cls(**values)

    def validate(self) -> None:
        """Raise ValueError naming the first invalid setting."""
        _check_int("people", self.people, minimum=1, maximum=50_000_000)
        _check_int("seed", self.seed, minimum=0, maximum=2**32 - 1)
        _check_int("chunk_size", self.chunk_size, minimum=100, maximum=5_000_000)
        _check_int("follow_up_days", self.follow_up_days, minimum=1, maximum=3660)
        if not isinstance(self.start_date, date) or not isinstance(self.end_date, date):
            raise ValueError("start_date/end_date: must be datetime.date values")
        if (self.end_date - self.start_date).days < 60:
            raise ValueError(
                f"end_date: must be at least 60 days after start_date ({self.start_date} .. {self.end_date})"
            )
        if self.start_date.year < 1990 or self.end_date.year > 2200:
            raise ValueError("start_date/end_date: years must be between 1990 and 2200")
        from .pools import COUNTRY_INDEX

        if not self.countries:
            raise ValueError("countries: at least one country is needed")
        for code, share in self.countries:
            if code not in COUNTRY_INDEX:
                raise ValueError(
                    f"countries: unsupported country {code!r} (supported: {sorted(COUNTRY_INDEX)})"
                )
            _check_rate(f"countries[{code}]", share)
        if sum(share for _, share in self.countries) <= 0:
            raise ValueError("countries: shares must not all be zero")
        for group in ("presence", "noise", "follow_up"):
            for item in dataclasses.fields(getattr(self, group)):
                name = f"{group}.{item.name}"
                value = getattr(getattr(self, group), item.name)
                if name == "noise.staff_typing_factor":
                    _check_mean(name, value, maximum=10)
                else:
                    _check_rate(name, value)
        for item in dataclasses.fields(self.volume):
            value = getattr(self.volume, item.name)
            if item.name in ("second_device", "third_device", "consent_withdrawal", "consent_regrant"):
                _check_rate(f"volume.{item.name}", value)
            else:
                _check_mean(f"volume.{item.name}", value, maximum=100)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (dates as ISO strings), as stored in a data set's manifest."""
        data = dataclasses.asdict(self)
        data["start_date"] = self.start_date.isoformat()
        data["end_date"] = self.end_date.isoformat()
        data["countries"] = [list(item) for item in self.countries]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GeneratorConfig:
        """Inverse of ``to_dict``; unknown keys are rejected so that a stale manifest fails loudly."""
        data = dict(data)
        try:
            config = cls(
                people=int(data.pop("people")),
                seed=int(data.pop("seed")),
                start_date=date.fromisoformat(data.pop("start_date")),
                end_date=date.fromisoformat(data.pop("end_date")),
                chunk_size=int(data.pop("chunk_size")),
                follow_up_days=int(data.pop("follow_up_days")),
                countries=tuple((str(code), float(share)) for code, share in data.pop("countries")),
                presence=PresenceRates(**data.pop("presence")),
                volume=VolumeRates(**data.pop("volume")),
                noise=NoiseRates(**data.pop("noise")),
                follow_up=FollowUpRates(**data.pop("follow_up")),
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"config: manifest settings are incomplete or unknown ({error})") from error
        if data:
            raise ValueError(f"config: unknown settings in manifest: {sorted(data)}")
        return config


def _check_int(name: str, value: object, *, minimum: int, maximum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise ValueError(f"{name}: must be an integer between {minimum} and {maximum}, got {value!r}")


def _check_rate(name: str, value: object) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{name}: must be a probability between 0 and 1, got {value!r}")


def _check_mean(name: str, value: object, *, maximum: float) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0.0 <= float(value) <= maximum:
        raise ValueError(f"{name}: must be a number between 0 and {maximum}, got {value!r}")
