"""True identities: who the people are, where they live, how to reach them, which sources know them.

A ``People`` block holds one chunk of persons as parallel numpy/Arrow arrays. Its values are the truth that
source records are noisy copies of. Households (shared address and landline), twins and namesakes are built
in on purpose: they must stay distinct persons even though their records look alike.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import pools
from .config import GeneratorConfig
from .noise import civil_from_days
from .reference import reference
from .text import (
    HashSet,
    affine_scramble,
    by_variant,
    fixed_format,
    int_to_strings,
    join,
    null_where,
    pick,
    repeat,
    string_hash64,
    strings,
    take,
    where,
)

#: "Never" for change times: later than any record.
NEVER = np.int64(2**62)
SECONDS_PER_DAY = 86_400
#: A prime larger than every phone numbering space, so multiplying by it is a bijection on each space.
_PHONE_MULTIPLIER = 2_147_483_647

_EMAIL_PATTERN_WEIGHTS = (30, 10, 10, 8, 5, 6, 8, 6, 5, 6, 3, 3)
_UK_LETTERS = np.frombuffer(b"ABDEFGHJLNPQRSTUWXYZ", dtype=np.uint8)


@dataclass
class People:
    """One block of true persons (index ``i`` of every array is the same person)."""

    pidx: np.ndarray  # dense index over all batches; person_id = P + pidx + 1
    person_id: pa.Array
    country: np.ndarray
    zone: np.ndarray
    gender: np.ndarray  # 0 female, 1 male
    first: np.ndarray  # index in reference().first
    last: np.ndarray  # index in reference().last
    birth: np.ndarray  # days since 1970-01-01
    email_local: pa.Array  # current e-mail; null when the person has none
    email_domain: np.ndarray
    old_email_local: pa.Array  # e-mail used before ``email_changed``; null when it never changed
    old_email_domain: np.ndarray
    email_changed: np.ndarray  # epoch seconds, NEVER when unchanged
    mobile: pa.Array  # national significant number; null when none
    landline: pa.Array  # shared by the household; null when none
    city: np.ndarray
    postcode: pa.Array
    street: np.ndarray
    house_no: np.ndarray
    house_suffix: np.ndarray
    old_city: np.ndarray  # address before ``moved``
    old_postcode: pa.Array
    old_street: np.ndarray
    old_house_no: np.ndarray
    old_house_suffix: np.ndarray
    moved: np.ndarray  # epoch seconds, NEVER when the person did not move
    household: np.ndarray  # pidx of the household head (own pidx when living alone)
    borrowed_email_local: pa.Array  # the head's e-mail, used on some of this person's records; else null
    borrowed_email_domain: np.ndarray
    since: np.ndarray  # first activity, epoch seconds
    home_store: np.ndarray  # index in pools.STORES
    in_crm: np.ndarray
    has_account: np.ndarray
    guest_buyer: np.ndarray
    web_visitor: np.ndarray
    pos_buyer: np.ndarray
    loyalty: np.ndarray
    support: np.ndarray
    newsletter: np.ndarray
    erasure: np.ndarray
    split_cluster: np.ndarray
    borrower: np.ndarray

    def __len__(self) -> int:
        return len(self.pidx)

    def take(self, rows: np.ndarray) -> People:
        """The persons at ``rows`` (any order, repeats allowed)."""
        rows = np.asarray(rows, dtype=np.int64)
        values = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            values[item.name] = value.take(pa.array(rows)) if isinstance(value, pa.Array) else value[rows]
        return People(**values)

    @staticmethod
    def concat(blocks: list[People]) -> People:
        values = {}
        for item in dataclasses.fields(People):
            parts = [getattr(block, item.name) for block in blocks]
            values[item.name] = (
                pa.concat_arrays(parts) if isinstance(parts[0], pa.Array) else np.concatenate(parts)
            )
        return People(**values)

    def email_at(self, rows: np.ndarray, seconds: np.ndarray) -> tuple[pa.Array, np.ndarray]:
        """(local part, domain) of the e-mail the person used at ``seconds``."""
        before = seconds < self.email_changed[rows]
        local = where(
            before, self.old_email_local.take(pa.array(rows)), self.email_local.take(pa.array(rows))
        )
        domain = np.where(before, self.old_email_domain[rows], self.email_domain[rows])
        return local, domain

    def address_at(self, rows: np.ndarray, seconds: np.ndarray) -> Address:
        """The address the person lived at at ``seconds``."""
        before = seconds < self.moved[rows]
        r = pa.array(rows)
        return Address(
            city=np.where(before, self.old_city[rows], self.city[rows]),
            postcode=where(before, self.old_postcode.take(r), self.postcode.take(r)),
            street=np.where(before, self.old_street[rows], self.street[rows]),
            house_no=np.where(before, self.old_house_no[rows], self.house_no[rows]),
            house_suffix=np.where(before, self.old_house_suffix[rows], self.house_suffix[rows]),
        )


@dataclass
class Address:
    city: np.ndarray
    postcode: pa.Array
    street: np.ndarray
    house_no: np.ndarray
    house_suffix: np.ndarray


@dataclass
class PopulationState:
    """What persons generated so far constrain: used e-mails, phone numbering counters.

    Carried from chunk to chunk (and batch to batch) so that true e-mails and phones stay unique.
    """

    emails: HashSet = field(default_factory=HashSet)
    mobile_counter: np.ndarray = field(default_factory=lambda: np.zeros(len(pools.COUNTRIES), dtype=np.int64))
    landline_counter: np.ndarray = field(
        default_factory=lambda: np.zeros(len(pools.COUNTRIES), dtype=np.int64)
    )


def person_ids(pidx: np.ndarray) -> pa.Array:
    """P000000001-style ids of dense person indices."""
    return fixed_format(len(pidx), ["P", (np.asarray(pidx) + 1, 9)])


# ------------------------------------------------------------------------------------ sampling helpers


def _zipf_pick(rng: np.random.Generator, n: int, size: int, exponent: float = 0.9) -> np.ndarray:
    """Indices in [0, size) where earlier (more popular) entries come up more often."""
    weights = 1.0 / np.power(np.arange(size) + 2.0, exponent)
    return pick(rng, n, weights)


def _names(rng: np.random.Generator, country: np.ndarray, gender: np.ndarray, last: bool) -> np.ndarray:
    pool = reference().last if last else reference().first
    result = np.zeros(len(country), dtype=np.int64)
    for c, code in enumerate(pools.COUNTRIES):
        for g in (0,) if last else (0, 1):
            rows = np.flatnonzero((country == c) & ((gender == g) | last))
            if len(rows):
                key = (code, g)
                result[rows] = pool.group_offset[key] + _zipf_pick(rng, len(rows), pool.group_size[key])
    return result


def _shift_within_group(index: np.ndarray, country: np.ndarray, gender: np.ndarray, last: bool) -> np.ndarray:
    """The next name in the same (country, gender) group, to make two relatives' names differ."""
    pool = reference().last if last else reference().first
    result = index.copy()
    for c, code in enumerate(pools.COUNTRIES):
        for g in (0,) if last else (0, 1):
            rows = (country == c) & ((gender == g) | last)
            if rows.any():
                offset, size = pool.group_offset[(code, g)], pool.group_size[(code, g)]
                result[rows] = offset + (index[rows] - offset + 1) % size
    return result


def random_addresses(rng: np.random.Generator, country: np.ndarray) -> Address:
    """Fresh addresses in each person's country: real city and postcode, plausible street and number."""
    ref = reference()
    n = len(country)
    city = np.zeros(n, dtype=np.int64)
    street = np.zeros(n, dtype=np.int64)
    for c, code in enumerate(pools.COUNTRIES):
        rows = np.flatnonzero(country == c)
        if not len(rows):
            continue
        candidates = ref.cities.by_country[code]
        city[rows] = candidates[pick(rng, len(rows), ref.cities.weights_by_country[code])]
        street_type = pick(rng, len(rows), ref.streets.type_weights[code])
        street_name = _zipf_pick(rng, len(rows), ref.streets.name_count[code], exponent=0.5)
        street[rows] = ref.streets.offset[code] + street_type * ref.streets.name_count[code] + street_name
    postcode_index = ref.cities.postcode_offset[city] + (
        rng.random(n) * ref.cities.postcode_count[city]
    ).astype(np.int64)
    postcode = take(ref.cities.postcodes, postcode_index)
    # British and Dutch postcodes are an area code plus a walk-level part.
    digit = rng.integers(0, 10, n)
    letters = _UK_LETTERS[rng.integers(0, len(_UK_LETTERS), (n, 2))]
    letter_text = pa.array(np.ascontiguousarray(letters).view("S2").ravel().astype(str), pa.string())
    uk = country == pools.COUNTRY_INDEX["GB"]
    nl = country == pools.COUNTRY_INDEX["NL"]
    postcode = where(uk, join(postcode, " ", int_to_strings(digit), letter_text), postcode)
    postcode = where(nl, join(postcode, " ", letter_text), postcode)
    house_no = np.minimum(1 + rng.geometric(0.05, n), 240)
    house_suffix = np.where(rng.random(n) < 0.04, rng.integers(1, 6, n), 0)
    return Address(city, postcode, street, house_no, house_suffix)


def _numbering(plan: pools.PhonePlan) -> tuple[int, int]:
    """(span, low bound) of a plan's free digits; numbers below 10**(free-2) are avoided (0600000000...)."""
    low = 10 ** (plan.free_digits - 2)
    return 10**plan.free_digits - low, low


def phone_numbers(
    rng: np.random.Generator,
    country: np.ndarray,
    counters: np.ndarray,
    kind: str,
    wanted: np.ndarray,
    forced_prefix: np.ndarray | None = None,
) -> pa.Array:
    """Unique national significant numbers for the ``wanted`` rows (null elsewhere).

    Each country numbers its people with a running counter, handed out in random order within the block;
    an affine bijection scatters the counter over the numbering space, so numbers look random yet never
    repeat.
    """
    salt = 7919 if kind == "mobile" else 104_729
    plans = pools.MOBILE_PLANS if kind == "mobile" else pools.LANDLINE_PLANS
    variant = np.where(wanted, country, len(pools.COUNTRIES))

    def for_country(c: int):
        def build(rows: np.ndarray) -> pa.Array:
            code = pools.COUNTRIES[c]
            plan = plans[code]
            span, low = _numbering(plan)
            count = len(rows)
            sequence = counters[c] + rng.permutation(count)
            counters[c] += count
            if forced_prefix is not None and code == "FR":
                value = affine_scramble(sequence, span, _PHONE_MULTIPLIER, salt * (c + 1))
                prefix = forced_prefix[rows]
            else:
                value = affine_scramble(
                    sequence, len(plan.prefixes) * span, _PHONE_MULTIPLIER, salt * (c + 1)
                )
                prefix = value // span
                value = value % span
            return join(
                take(strings(plan.prefixes), prefix), fixed_format(count, [(low + value, plan.free_digits)])
            )

        return build

    builders = [for_country(c) for c in range(len(pools.COUNTRIES))]
    builders.append(lambda rows: repeat(None, len(rows)))
    return by_variant(variant, builders)


# --------------------------------------------------------------------------------------------- e-mails


def email_key(local: pa.Array, domain: np.ndarray) -> pa.Array:
    """The mailbox an address reaches: gmail ignores dots and treats googlemail.com as gmail.com."""
    gmail = reference().domain_is_gmail[np.asarray(domain, dtype=np.int64)]
    key_local = where(gmail, pc.replace_substring(local, ".", ""), local)
    key_domain = where(gmail, "gmail.com", take(reference().domains, domain))
    return join(key_local, "@", key_domain)


def _email_local_parts(
    rng: np.random.Generator, first: np.ndarray, last: np.ndarray, birth_year: np.ndarray
) -> pa.Array:
    ref = reference()
    n = len(first)
    pattern = pick(rng, n, _EMAIL_PATTERN_WEIGHTS)
    fs, fc, fi = (
        take(ref.first.slug, first),
        take(ref.first.slug_compact, first),
        take(ref.first.initial, first),
    )
    ls, lc = take(ref.last.slug, last), take(ref.last.slug_compact, last)
    yy, yyyy = int_to_strings(birth_year % 100, 2), int_to_strings(birth_year)
    nn, nnn = int_to_strings(rng.integers(1, 100, n)), int_to_strings(rng.integers(1, 1000, n))
    patterns = [
        lambda r: join(fs.take(r), ".", ls.take(r)),  # jean-pierre.dupont
        lambda r: join(fc.take(r), lc.take(r)),  # jeanpierredupont
        lambda r: join(fs.take(r), ".", ls.take(r), yy.take(r)),  # jean.dupont85
        lambda r: join(fi.take(r), ".", lc.take(r)),  # j.dupont
        lambda r: join(fs.take(r), "_", ls.take(r)),
        lambda r: join(lc.take(r), ".", fc.take(r)),  # dupont.jean
        lambda r: join(fc.take(r), lc.take(r), nn.take(r)),
        lambda r: join(fs.take(r), ".", ls.take(r), nnn.take(r)),
        lambda r: join(lc.take(r), fi.take(r)),  # dupontj
        lambda r: join(fc.take(r), yyyy.take(r)),  # jean1985
        lambda r: join(fs.take(r), "-", lc.take(r)),
        lambda r: join(fi.take(r), lc.take(r), nn.take(r)),
    ]
    return by_variant(pattern, patterns)


def unique_emails(
    rng: np.random.Generator,
    first: np.ndarray,
    last: np.ndarray,
    birth_year: np.ndarray,
    country: np.ndarray,
    wanted: np.ndarray,
    registry: HashSet,
    domain: np.ndarray | None = None,
) -> tuple[pa.Array, np.ndarray]:
    """E-mails (local part, domain) for the wanted rows, unique among every e-mail handed out so far.

    Like a real provider, the first person to claim jean.dupont@gmail.com gets it; later ones get digits.
    """
    ref = reference()
    n = len(first)
    if domain is None:
        domain = np.zeros(n, dtype=np.int64)
        for c, code in enumerate(pools.COUNTRIES):
            rows = np.flatnonzero(country == c)
            if len(rows):
                domain[rows] = pick(rng, len(rows), ref.domain_weights[code])
    local = _email_local_parts(rng, first, last, birth_year)
    wanted_rows = np.flatnonzero(wanted)
    for attempt in range(60):
        hashes = string_hash64(email_key(local.take(pa.array(wanted_rows)), domain[wanted_rows]))
        clash = registry.contains(hashes)
        _, first_seen = np.unique(hashes, return_index=True)
        repeated = np.ones(len(hashes), dtype=bool)
        repeated[first_seen] = False
        clash |= repeated
        if not clash.any():
            registry.add(hashes)
            return null_where(~wanted, local), domain
        digits = rng.integers(1, 10 ** (2 + attempt // 3), n)
        retry = np.zeros(n, dtype=bool)
        retry[wanted_rows[clash]] = True
        local = where(retry, join(local, int_to_strings(digits)), local)
    raise RuntimeError("could not make e-mail addresses unique")  # pragma: no cover - astronomically unlikely


# --------------------------------------------------------------------------------------------- people


def _households(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(row of each person's household head, position in the household) for consecutive blocks."""
    sizes = rng.choice([1, 2, 3, 4], size=n, p=[0.60, 0.27, 0.09, 0.04])
    ends = np.cumsum(sizes)
    sizes = sizes[: np.searchsorted(ends, n) + 1]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    head = np.repeat(starts, sizes)[:n]
    position = np.arange(n) - head
    return head, position


def _home_stores(rng: np.random.Generator, city: np.ndarray, country: np.ndarray) -> np.ndarray:
    """The store a person shops at: one in their city, else one serving their region, else a Paris store."""
    ref = reference()
    stores = pools.STORES
    weights = np.array([s.weight for s in stores], dtype=np.float64)
    result = np.zeros(len(city), dtype=np.int64)
    paris = np.array([i for i, s in enumerate(stores) if s.city == "Paris"])
    for c in np.unique(city):
        rows = np.flatnonzero(city == c)
        entry = ref.cities.cities[c]
        candidates = np.array([i for i, s in enumerate(stores) if s.city == entry.name])
        if not len(candidates) and entry.country == "FR":
            candidates = np.array([i for i, s in enumerate(stores) if entry.region in s.regions])
        if not len(candidates) and entry.country == "BE":
            candidates = np.array([i for i, s in enumerate(stores) if s.city == "Bruxelles"])
        if not len(candidates) and entry.country == "CH":
            candidates = np.array([i for i, s in enumerate(stores) if s.city == "Genève"])
        if not len(candidates):
            candidates = paris
        result[rows] = candidates[pick(rng, len(rows), weights[candidates])]
    return result


def build_people(
    config: GeneratorConfig,
    rng: np.random.Generator,
    pidx: np.ndarray,
    window: tuple[int, int],
    state: PopulationState,
) -> People:
    """A block of true persons whose activity falls in ``window`` (epoch seconds, end exclusive)."""
    ref = reference()
    presence = config.presence
    n = len(pidx)
    start, end = window
    span = end - start
    country_codes, country_weights = zip(*config.countries, strict=True)
    country = np.array([pools.COUNTRY_INDEX[c] for c in country_codes])[pick(rng, n, country_weights)]
    gender = (rng.random(n) < 0.5).astype(np.int64)
    end_day = end // SECONDS_PER_DAY
    age_days = (np.clip(rng.normal(43, 15, n), 18, 90) * 365.25).astype(np.int64)
    birth = end_day - age_days - rng.integers(0, 365, n)
    # Households: members share the head's address, landline and country, and often the surname.
    head, position = _households(rng, n)
    member = position > 0
    country[member] = country[head[member]]
    first = _names(rng, country, gender, last=False)
    last = _names(rng, country, gender, last=True)
    last = np.where(member & (rng.random(n) < 0.7), last[head], last)
    same_first = member & (first == first[head])
    first[same_first] = _shift_within_group(first[same_first], country[same_first], gender[same_first], False)
    # Twins: same surname and birth date as the head, different given name.
    twins = (position == 1) & (rng.random(n) < 0.05)
    birth[twins] = birth[head[twins]]
    last[twins] = last[head[twins]]

    address = random_addresses(rng, country)
    old = random_addresses(rng, country)
    same_city = rng.random(n) < 0.4  # some moves stay in town
    old.city = np.where(same_city, address.city, old.city)
    old.postcode = where(same_city, address.postcode, old.postcode)
    moved = np.where(rng.random(n) < 0.10, start + (rng.random(n) * span).astype(np.int64), NEVER)
    for name in ("city", "street", "house_no", "house_suffix"):
        for block in (address, old):
            values = getattr(block, name)
            values[member] = values[head[member]]
    address.postcode = take(address.postcode, head)
    old.postcode = take(old.postcode, head)
    moved = moved[head]

    # Namesakes: a person with the same (often common) name living in the same town as someone else.
    namesake = (~member) & (rng.random(n) < 0.006)
    if namesake.any():
        singles = np.flatnonzero(~member)
        source = singles[rng.integers(0, len(singles), n)]
        valid = namesake & (source != np.arange(n)) & (country[source] == country) & (head[source] != head)
        rows = np.flatnonzero(valid)
        first[rows], last[rows], gender[rows] = first[source[rows]], last[source[rows]], gender[source[rows]]
        address.city[rows] = address.city[source[rows]]
        postcode = address.postcode.to_numpy(zero_copy_only=False).copy()
        postcode[rows] = postcode[source[rows]]
        address.postcode = pa.array(postcode, pa.string())

    zone = ref.cities.zone[address.city]
    birth_year = civil_from_days(birth)[0]

    has_email = rng.random(n) < 0.96
    local, domain = unique_emails(rng, first, last, birth_year, country, has_email, state.emails)
    changes_email = has_email & (rng.random(n) < 0.08)
    old_local, old_domain = unique_emails(rng, first, last, birth_year, country, changes_email, state.emails)
    email_changed = np.where(changes_email, start + (rng.random(n) * span).astype(np.int64), NEVER)
    old_local = where(changes_email, old_local, local)
    old_domain = np.where(changes_email, old_domain, domain)

    mobile = phone_numbers(rng, country, state.mobile_counter, "mobile", rng.random(n) < 0.93)
    head_has_landline = (~member) & (rng.random(n) < np.where(age_days > 50 * 365, 0.55, 0.25))
    fr_region = ref.cities.region[address.city] - 1
    landline = phone_numbers(
        rng, country, state.landline_counter, "landline", head_has_landline, forced_prefix=fr_region
    )
    landline = take(landline, head)

    # Activity starts somewhere in the window, earlier more often (customers accumulate).
    since = start + (np.power(rng.random(n), 1.4) * (span - 14 * SECONDS_PER_DAY)).astype(np.int64)
    draws = rng.random((12, n))
    # Online accounts and guest checkouts require an e-mail address.
    has_account = (draws[0] < presence.shop_account) & has_email
    guest_buyer = np.where(
        has_account, draws[1] < presence.account_guest_checkout, draws[1] < presence.guest_buyer
    )
    guest_buyer &= has_email
    web_visitor = has_account | guest_buyer | (draws[2] < presence.web_browser)
    pos_buyer = draws[3] < presence.pos_buyer
    loyalty = pos_buyer & (draws[4] < presence.loyalty)
    in_crm = draws[5] < presence.crm
    support = draws[6] < presence.support
    nowhere = ~(web_visitor | pos_buyer | in_crm | support)
    web_visitor |= nowhere & (draws[7] < 0.5)  # only ever seen as an anonymous visitor...
    pos_buyer |= nowhere & ~web_visitor  # ... or as an anonymous store buyer
    newsletter = web_visitor & (draws[8] < presence.newsletter_form) & has_email
    erasure = draws[9] < presence.erasure_request
    split_cluster = has_account & loyalty & (draws[10] < presence.split_cluster)
    # A split person leaves no record tying the shop account to the card (see FollowUpRates.bridge).
    in_crm &= ~split_cluster
    support &= ~split_cluster
    newsletter &= ~split_cluster
    guest_buyer &= ~split_cluster
    erasure &= ~split_cluster
    borrower = member & has_email[head] & (draws[11] < presence.borrowed_email) & ~split_cluster
    borrowed_local = null_where(~borrower, take(local, head))
    borrowed_domain = domain[head]

    return People(
        pidx=np.asarray(pidx, dtype=np.int64),
        person_id=person_ids(pidx),
        country=country,
        zone=zone,
        gender=gender,
        first=first,
        last=last,
        birth=birth,
        email_local=local,
        email_domain=domain,
        old_email_local=old_local,
        old_email_domain=old_domain,
        email_changed=email_changed,
        mobile=mobile,
        landline=landline,
        city=address.city,
        postcode=address.postcode,
        street=address.street,
        house_no=address.house_no,
        house_suffix=address.house_suffix,
        old_city=old.city,
        old_postcode=old.postcode,
        old_street=old.street,
        old_house_no=old.house_no,
        old_house_suffix=old.house_suffix,
        moved=moved,
        household=np.asarray(pidx, dtype=np.int64)[head],
        borrowed_email_local=borrowed_local,
        borrowed_email_domain=borrowed_domain,
        since=since,
        home_store=_home_stores(rng, address.city, country),
        in_crm=in_crm,
        has_account=has_account,
        guest_buyer=guest_buyer,
        web_visitor=web_visitor,
        pos_buyer=pos_buyer,
        loyalty=loyalty,
        support=support,
        newsletter=newsletter,
        erasure=erasure,
        split_cluster=split_cluster,
        borrower=borrower,
    )
