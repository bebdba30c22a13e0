"""Tests of activation.datagen: contract, determinism, ground truth, noise, follow-ups, I/O."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import yaml

from activation.datagen import (
    PRIMARY_KEYS,
    TABLE_COLUMNS,
    TRUTH_SOURCES,
    GeneratorConfig,
    NoiseRates,
    generate,
    load_into_duckdb,
    main,
    make_config,
    render_seeds_yaml,
    write_dataset,
    write_follow_up,
    write_sample,
)
from activation.datagen.consent import GRANTED_WORDS, WITHDRAWN_WORDS
from activation.datagen.pools import JUNK_EMAILS, JUNK_PHONES
from activation.datagen.schema import ADS_SPEND_KEY, TRUTH_COLUMNS, TRUTH_TABLE

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "seeds" / "sample"
PEOPLE = 3000


def small_config(**overrides) -> GeneratorConfig:
    return GeneratorConfig.sample(people=PEOPLE, **overrides)


@pytest.fixture(scope="module")
def base() -> dict[str, pa.Table]:
    return generate(config=small_config(), with_persons=True)


@pytest.fixture(scope="module")
def follow_up() -> dict[str, pa.Table]:
    return generate(config=small_config(), batch=1)


def frame(tables: dict[str, pa.Table], name: str):
    return tables[name].to_pandas()


def truth_of(tables: dict[str, pa.Table], source_table: str) -> dict[str, str]:
    truth = frame(tables, TRUTH_TABLE)
    rows = truth[truth.source_table == source_table]
    return dict(zip(rows.record_id, rows.person_id, strict=True))


def digits(value: object) -> str:
    return re.sub(r"\D", "", value) if isinstance(value, str) else ""


# --------------------------------------------------------------------------------------------- contract


def sources_contract() -> dict[str, list[str]]:
    """Default identifier -> ordered column names, read from the dbt sources YAML files."""
    contract: dict[str, list[str]] = {}
    for path in sorted((ROOT / "models" / "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                identifier = table.get("identifier", table["name"])
                default = re.search(r"var\(\s*'[^']+'\s*,\s*'([^']+)'\s*\)", identifier)
                contract[default.group(1) if default else identifier] = [c["name"] for c in table["columns"]]
    return contract


def test_schema_matches_the_sources_yaml():
    contract = sources_contract()
    assert contract, "no sources YAML found"
    # The ground truth is a source too (the identity quality report reads it).
    assert set(contract) == set(TABLE_COLUMNS) | {TRUTH_TABLE}
    for table, columns in contract.items():
        expected = TRUTH_COLUMNS if table == TRUTH_TABLE else TABLE_COLUMNS[table]
        assert list(expected) == columns, table


def test_generated_tables_have_contract_columns_as_text(base):
    for table, columns in TABLE_COLUMNS.items():
        assert base[table].column_names == list(columns), table
        assert all(field.type == pa.string() for field in base[table].schema), table
        assert base[table].num_rows > 0, table
    assert base[TRUTH_TABLE].column_names == list(TRUTH_COLUMNS)


def test_primary_keys_are_unique_and_present(base):
    for table, key in PRIMARY_KEYS.items():
        column = base[table].column(key)
        assert column.null_count == 0, table
        assert pc.count_distinct(column).as_py() == len(column), table
    ads = frame(base, "ads_spend")
    assert not ads.duplicated(list(ADS_SPEND_KEY)).any()


# --------------------------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_tables_and_another_seed_differs(base):
    again = generate(config=small_config(), with_persons=True)
    assert set(again) == set(base)
    for name in base:
        assert again[name].equals(base[name]), name
    other = generate(config=small_config(seed=43))
    assert not other["crm_contacts"].equals(base["crm_contacts"])
    assert not other["web_events"].equals(base["web_events"])


def test_written_files_are_byte_identical(tmp_path):
    config = make_config(400, 7)
    first = write_dataset(tmp_path / "a", config, fmt="csv")
    write_dataset(tmp_path / "b", config, fmt="csv")
    write_dataset(tmp_path / "p1", config, fmt="parquet")
    write_dataset(tmp_path / "p2", config, fmt="parquet")
    for name in first.rows:
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (
            tmp_path / "b" / f"{name}.csv"
        ).read_bytes(), name
        assert (tmp_path / "p1" / f"{name}.parquet").read_bytes() == (
            tmp_path / "p2" / f"{name}.parquet"
        ).read_bytes()
    assert (tmp_path / "a" / "_datagen_manifest.json").read_bytes() == (
        tmp_path / "b" / "_datagen_manifest.json"
    ).read_bytes()


def test_committed_sample_is_up_to_date_and_typed_as_text(tmp_path):
    report = write_sample(tmp_path)
    committed = sorted(p.name for p in SAMPLE_DIR.iterdir())
    assert committed == sorted(p.name for p in tmp_path.iterdir())
    for name in committed:
        assert (SAMPLE_DIR / name).read_bytes() == (tmp_path / name).read_bytes(), (
            f"{name}: regenerate the sample"
        )
    total = sum(p.stat().st_size for p in SAMPLE_DIR.iterdir())
    assert total < 8_000_000
    seeds = yaml.safe_load((SAMPLE_DIR / "_sample__seeds.yml").read_text())["seeds"]
    assert [s["name"] for s in seeds] == list(report.rows)
    for seed in seeds:
        header = (SAMPLE_DIR / f"{seed['name']}.csv").read_text(encoding="utf-8").split("\n", 1)[0].split(",")
        assert list(seed["config"]["column_types"]) == header
        assert set(seed["config"]["column_types"].values()) == {
            "{{ 'string' if target.type == 'spark' else 'text' }}"
        }
    assert render_seeds_yaml(list(report.rows)) == (SAMPLE_DIR / "_sample__seeds.yml").read_text()


# --------------------------------------------------------------------------------------------- ground truth


def test_truth_covers_every_person_linked_record_once(base):
    truth = frame(base, TRUTH_TABLE)
    assert not truth.duplicated(["source_table", "record_id"]).any()
    assert truth.person_id.notna().all()
    for source_table, (table, column) in TRUTH_SOURCES.items():
        ids = set(base[table].column(column).drop_null().to_pylist())
        assert ids, source_table
        assert ids == set(truth.record_id[truth.source_table == source_table]), source_table
    persons = set(frame(base, "truth_persons").person_id)
    assert set(truth.person_id) <= persons
    # Every generated person is somewhere (people only seen as anonymous visitors or store buyers included).
    assert len(set(truth.person_id[truth.person_id.str.startswith("P")])) == PEOPLE


def test_guest_orders_and_anonymous_receipts_are_attributed(base):
    orders = frame(base, "shop_orders")
    guest = orders[orders.customer_id.isna()]
    owners = truth_of(base, "shop_orders")
    assert len(guest) > 100
    assert all(owners[o].startswith("P") for o in guest.order_id)
    receipts = frame(base, "pos_transactions")
    anonymous = receipts[receipts.loyalty_card_id.isna() & receipts.receipt_email.isna()]
    assert len(anonymous) > len(receipts) / 4
    assert set(anonymous.transaction_id) <= set(truth_of(base, "pos_transactions"))


def test_people_have_several_devices_and_some_are_never_identified(base):
    events = frame(base, "web_events")
    owners = truth_of(base, "web_anonymous_ids")
    devices_per_person = events.drop_duplicates("anonymous_id").anonymous_id.map(owners).value_counts()
    assert (devices_per_person >= 2).sum() > 50
    identified = set(events.anonymous_id[events.user_id.notna() | events.form_email.notna()])
    never = set(events.anonymous_id) - identified
    assert len(never) > 100 and len(identified) > 100


# --------------------------------------------------------------------------------------------- noise


def _email_case_whitespace_share(tables: dict[str, pa.Table]) -> float:
    crm = frame(tables, "crm_contacts")
    persons = frame(tables, "truth_persons").set_index("person_id")
    crm["person_id"] = crm.contact_id.map(truth_of(tables, "crm_contacts"))
    crm = crm[crm.email.notna() & crm.person_id.str.startswith("P")]
    own = persons.loc[crm.person_id, ["email", "previous_email"]].to_numpy()
    # Records of household members sometimes carry the head's e-mail: not a variant of their own.
    relative = persons.loc[persons.loc[crm.person_id, "household_id"], ["email", "previous_email"]].to_numpy()
    typed = crm.email.to_numpy()
    usable = differs = 0
    for value, (current, previous), borrowed in zip(typed, own, relative, strict=True):
        candidates = [e for e in (current, previous) if isinstance(e, str)]
        if not candidates or value in ("N/A", "null", "-", "n/a", "NULL", "none"):
            continue
        if value.strip().lower() in borrowed and value.strip().lower() not in candidates:
            continue
        usable += 1
        if value not in candidates and value.strip().lower() in candidates:
            differs += 1
    return differs / usable


@pytest.mark.parametrize(("case", "whitespace"), [(None, None), (0.25, 0.10)])
def test_email_case_and_whitespace_noise_follows_the_configured_rate(base, case, whitespace):
    if case is None:
        tables, noise = base, NoiseRates()
    else:
        noise = NoiseRates(email_case=case, email_whitespace=whitespace)
        tables = generate(config=small_config(noise=noise), with_persons=True)
    expected = noise.email_case + noise.email_whitespace
    assert _email_case_whitespace_share(tables) == pytest.approx(expected, abs=0.03)


def test_noise_kinds_show_up(base):
    crm, loyalty = frame(base, "crm_contacts"), frame(base, "loyalty_members")
    customers, orders = frame(base, "shop_customers"), frame(base, "shop_orders")
    emails = (
        pa.concat_arrays(
            [
                base[t].column(c).combine_chunks()
                for t, c in (
                    ("crm_contacts", "email"),
                    ("shop_orders", "email"),
                    ("loyalty_members", "email"),
                )
            ]
        )
        .to_pandas()
        .dropna()
    )
    assert emails.str.contains(r"\+[a-z0-9]+@gmail\.com$").any()  # +tags
    assert emails.str.contains("@googlemail.com").any()
    assert emails.str.contains(r"@(?:gmial|gmal|hotmial|ornage|yahou)\.").any()  # domain typos
    assert (emails != emails.str.strip()).any()
    assert emails.str.contains(r"^[^@]+@$|^\S+ \S+ \S+\.\w+$|@@").any()  # malformed
    phones = crm.phone.dropna()
    for pattern in (
        r"^0\d(?: \d\d){4}$",
        r"^0\d(?:\.\d\d){4}$",
        r"^\+33 \d(?: \d\d){4}$",
        r"^\+33\d{9}$",
        r"^\+33 \(0\)",
        r"^0033",
    ):
        assert phones.str.contains(pattern).any(), pattern
    # Store staff type names in capitals at name_upper x staff_typing_factor.
    capitals = ~loyalty.first_name.dropna().str.contains(r"[a-zß-ÿ]")
    noise = NoiseRates()
    assert capitals.mean() == pytest.approx(noise.name_upper * noise.staff_typing_factor, abs=0.05)
    births = crm.birth_date.dropna()
    for pattern in (r"^\d{4}-\d\d-\d\d$", r"^\d\d/\d\d/\d{4}$", r"^\d\d\.\d\d\.\d{4}$", r"^\d{8}$"):
        assert births.str.contains(pattern).any(), pattern
    assert births.isin(["not a date"]).any() or births.str.contains(r"^3[01]/02/|-13-01$|^30\.02\.").any()
    assert crm.country.isin(["France", "FR", "FRA", "france", "FRANCE"]).any()
    assert customers.country_code.eq("FR").mean() > 0.5
    assert crm.postal_code.dropna().str.fullmatch(r"[1-9]\d{3}").any()  # 01000 -> 1000 (or a Belgian code)
    totals = orders.total_amount.dropna()
    assert (
        totals.str.contains("€").any()
        and totals.str.contains(r"^\d+\.\d\d$").any()
        and totals.str.contains(r"^\d+,\d\d$").any()
    )
    assert (
        frame(base, "pos_transactions").transaction_at.str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").mean()
        > 0.9
    )
    stamps = frame(base, "web_events").occurred_at
    assert (
        stamps.str.contains(r"T\d\d:\d\d:\d\d[+-]\d\d:\d\d$").any()
        and stamps.str.contains(r"\.\d{3}Z$").any()
    )
    assert stamps.str.fullmatch(r"\d{10}").any()  # epoch seconds
    names = frame(base, "support_tickets").requester_name.dropna()
    assert names.str.contains(r"^[A-Z][A-Z'\- ]+ [A-Z][a-zé]").any()  # DUPONT Jean


def test_junk_values_and_test_accounts(base):
    crm, loyalty = frame(base, "crm_contacts"), frame(base, "loyalty_members")
    orders, receipts = frame(base, "shop_orders"), frame(base, "pos_transactions")
    junk = {
        "crm_contacts": crm.contact_id[crm.email.isin(JUNK_EMAILS)],
        "loyalty_members": loyalty.loyalty_card_id[loyalty.email.isin(JUNK_EMAILS)],
        "shop_orders": orders.order_id[orders.email.isin(JUNK_EMAILS)],
        "pos_transactions": receipts.transaction_id[receipts.receipt_email.isin(JUNK_EMAILS)],
    }
    assert sum(len(ids) for ids in junk.values()) > 5
    for table, ids in junk.items():
        owners = truth_of(base, table)
        assert all(owners[i].startswith("P") for i in ids), table  # a real person typed the placeholder
    assert pd_any(crm.phone.isin(JUNK_PHONES)) or pd_any(loyalty.phone.isin(JUNK_PHONES))
    tests = crm[crm.email.str.endswith("@ateliernova.fr", na=False)]
    assert "test.interne@ateliernova.fr" in set(tests.email)
    owners = truth_of(base, "crm_contacts")
    assert all(owners[c].startswith("T") for c in tests.contact_id)
    assert len({owners[c] for c in tests.contact_id}) == len(tests)  # each test account is its own person


def pd_any(series) -> bool:
    return bool(series.any())


def test_households_share_phone_and_address_but_stay_distinct(base):
    persons = frame(base, "truth_persons")
    shared = persons[persons.landline_phone.notna()].groupby("landline_phone").person_id.nunique()
    assert (shared >= 2).sum() > 50
    # In the raw CRM too: one landline typed on contacts of different true persons.
    crm = frame(base, "crm_contacts")
    crm["person_id"] = crm.contact_id.map(truth_of(base, "crm_contacts"))
    crm["line"] = crm.phone.map(lambda v: digits(v)[-9:])
    crm = crm[crm.line.str.len() == 9]
    persons_per_line = crm.groupby("line").person_id.nunique()
    assert (persons_per_line >= 2).any()
    addresses = persons.groupby(["street_address", "postal_code"]).person_id.nunique()
    assert (addresses >= 2).sum() > 50
    namesakes = (
        persons[persons.kind == "person"].groupby(["first_name", "last_name", "city"]).person_id.nunique()
    )
    assert (namesakes >= 2).sum() >= 5


def _plain_amount(value: object) -> float | None:
    """Amounts written as plain decimals (1234.56, 12.5, 45,90); None for other formats."""
    if isinstance(value, str) and re.fullmatch(r"-?\d+(?:[.,]\d{1,2})?", value):
        return float(value.replace(",", "."))
    return None


def test_order_totals_add_up_from_their_lines(base):
    lines = frame(base, "shop_order_lines")
    lines["gross"] = lines.quantity.astype(int) * lines.unit_price.map(_plain_amount)
    lines["net"] = lines.gross - lines.line_discount_amount.map(_plain_amount).fillna(0.0)
    subtotal = lines.groupby("order_id").net.sum()
    orders = frame(base, "shop_orders").set_index("order_id")
    total = orders.total_amount.map(_plain_amount)
    discount = orders.discount_amount.map(_plain_amount).fillna(0.0)
    shipping = orders.shipping_amount.map(_plain_amount)
    checked = (
        total.notna()
        & shipping.notna()
        & orders.discount_amount.map(lambda v: v is None or _plain_amount(v) is not None)
    )
    checked &= orders.index.isin(subtotal.index)
    expected = subtotal.reindex(orders.index) - discount + shipping
    assert checked.sum() > 500
    assert ((total - expected)[checked].abs() < 0.011).mean() > 0.99  # rounding of discounts aside


def test_loyalty_cards_are_valid_ean13(base):
    for card in base["loyalty_members"].column("loyalty_card_id").to_pylist():
        assert re.fullmatch(r"2\d{12}", card), card
        weights = [1, 3] * 6
        check = (10 - sum(int(d) * w for d, w in zip(card[:12], weights, strict=True)) % 10) % 10
        assert int(card[12]) == check, card


def test_web_campaigns_match_ads_spend(base):
    events = frame(base, "web_events")
    paid = events[events.utm_medium.isin(["cpc", "paid_social"])]
    assert len(paid) > 100
    assert set(paid.utm_campaign) <= set(frame(base, "ads_spend").campaign_name)
    assert paid.page_url.str.contains("utm_campaign=").all()
    assert events.product_id[events.event_name.isin(["product_view", "add_to_cart"])].notna().all()


def test_consent_has_grants_then_withdrawals(base):
    consent = frame(base, "consent_events")
    consent["person_id"] = consent.consent_event_id.map(truth_of(base, "consent_events"))
    status = consent.status.str.lower()
    assert status.isin(GRANTED_WORDS | WITHDRAWN_WORDS).all()
    assert {"email", "crm_contact_id", "shop_customer_id", "loyalty_card_id", "phone"} <= set(
        consent.subject_type
    )
    granted = consent[status.isin(GRANTED_WORDS)]
    withdrawn = consent[status.isin(WITHDRAWN_WORDS)]
    later = withdrawn.merge(granted, on=["person_id", "subject_value"], suffixes=("", "_grant"))
    assert (later.consent_event_id > later.consent_event_id_grant).any()  # ids follow time


# --------------------------------------------------------------------------------------------- follow-up


def test_follow_up_ids_do_not_collide(base, follow_up):
    for table, key in PRIMARY_KEYS.items():
        if table in follow_up:
            assert not set(base[table].column(key).to_pylist()) & set(
                follow_up[table].column(key).to_pylist()
            ), table
    old = frame(base, TRUTH_TABLE)
    new = frame(follow_up, TRUTH_TABLE)
    assert not set(zip(old.source_table, old.record_id, strict=True)) & set(
        zip(new.source_table, new.record_id, strict=True)
    )
    assert "shop_products" not in follow_up
    assert set(frame(follow_up, "ads_spend").spend_date).isdisjoint(set(frame(base, "ads_spend").spend_date))
    assert set(new.person_id) - set(old.person_id)  # new people
    assert set(new.person_id) & set(old.person_id)  # known people


def test_follow_up_bridges_shop_account_and_loyalty_card(base, follow_up):
    customers, loyalty = frame(base, "shop_customers"), frame(base, "loyalty_members")
    customers["person_id"] = customers.customer_id.map(truth_of(base, "shop_customers"))
    loyalty["person_id"] = loyalty.loyalty_card_id.map(truth_of(base, "loyalty_members"))
    contacts = frame(follow_up, "crm_contacts")
    contacts["person_id"] = contacts.contact_id.map(truth_of(follow_up, "crm_contacts"))
    bridges = contacts.merge(customers[["email", "person_id"]], on=["email", "person_id"]).merge(
        loyalty[["phone", "person_id"]], on=["phone", "person_id"]
    )
    # Bridged people whose account and card nothing tied together before: no CRM contact, no account phone.
    in_base_crm = set(frame(base, "crm_contacts").contact_id.map(truth_of(base, "crm_contacts")))
    with_phone = set(customers.person_id[customers.phone.notna()])
    split = set(bridges.person_id) - in_base_crm - with_phone
    assert len(split) >= 5


def test_follow_up_withdraws_consent_and_gives_own_emails(base, follow_up):
    old = frame(base, "consent_events")
    old["person_id"] = old.consent_event_id.map(truth_of(base, "consent_events"))
    new = frame(follow_up, "consent_events")
    new["person_id"] = new.consent_event_id.map(truth_of(follow_up, "consent_events"))
    withdrawn = new[new.status.str.lower().isin(WITHDRAWN_WORDS)]
    granted = old[old.status.str.lower().isin(GRANTED_WORDS)]
    matched = withdrawn.merge(granted, on=["person_id", "subject_type", "subject_value"])
    assert len(matched) >= 10
    # Household members who used a relative's e-mail get CRM contacts with their own.
    persons = frame(base, "truth_persons").set_index("person_id")
    contacts = frame(follow_up, "crm_contacts")
    contacts["person_id"] = contacts.contact_id.map(truth_of(follow_up, "crm_contacts"))
    known = contacts[contacts.person_id.isin(persons.index) & contacts.email.notna()]
    relatives = persons.loc[known.person_id, "household_id"].to_numpy() != known.person_id.to_numpy()
    assert relatives.any()


def test_follow_up_is_deterministic(follow_up):
    again = generate(config=small_config(), batch=1)
    for name in follow_up:
        assert again[name].equals(follow_up[name]), name


# --------------------------------------------------------------------------------------------- I/O & CLI


def test_csv_and_duckdb_round_trip_keeps_values(tmp_path):
    config = make_config(300, 3)
    write_dataset(tmp_path / "base", config, fmt="csv")
    write_follow_up(tmp_path / "base", tmp_path / "next", fmt="parquet")
    database = tmp_path / "raw.duckdb"
    counts = load_into_duckdb(tmp_path / "base", database, "raw")
    base_counts = dict(counts)
    counts = load_into_duckdb(tmp_path / "next", database, "raw", append=True)
    assert counts["crm_contacts"] > base_counts["crm_contacts"]
    assert "shop_products" not in counts  # the catalogue is only written with the base batch
    tables = generate(config=config)
    with duckdb.connect(str(database)) as connection:
        types = connection.execute(
            "SELECT DISTINCT data_type FROM information_schema.columns WHERE table_schema = 'raw'"
        ).fetchall()
        assert types == [("VARCHAR",)]
        # The file is named like the schema, hence the fully qualified names.
        loaded = connection.execute(
            "SELECT email FROM raw.raw.crm_contacts WHERE contact_id LIKE 'CRM0%' ORDER BY contact_id"
        ).fetchall()
    assert [row[0] for row in loaded] == tables["crm_contacts"].column("email").to_pylist()


def test_bad_arguments_raise_value_errors_naming_them(tmp_path, capsys):
    with pytest.raises(ValueError, match="people"):
        make_config(0, 1)
    with pytest.raises(ValueError, match="end_date"):
        make_config(10, 1, start_date="2026-01-01", end_date="2025-01-01")
    with pytest.raises(ValueError, match=r"noise\.email_case"):
        GeneratorConfig(noise=NoiseRates(email_case=1.5)).validate()
    with pytest.raises(ValueError, match="fmt"):
        write_dataset(tmp_path, make_config(10, 1), fmt="xlsx")
    with pytest.raises(ValueError, match="follow_up_of"):
        write_follow_up(tmp_path, tmp_path / "x")
    assert main(["--people", "-5", "--out", str(tmp_path / "o")]) == 2
    assert "people" in capsys.readouterr().err


def test_cli_writes_parquet_and_reports_rows(tmp_path, capsys):
    assert main(["--people", "200", "--seed", "5", "--out", str(tmp_path / "o"), "--format", "parquet"]) == 0
    output = capsys.readouterr().out
    assert "web_events" in output and "truth_record_persons" in output
    assert (tmp_path / "o" / "web_events.parquet").is_file()
    assert (tmp_path / "o" / "_datagen_manifest.json").is_file()


def _instants(values: pd.Series) -> pd.Series:
    """UTC instants of the ISO 8601 values (other formats are skipped)."""
    iso = values[values.str.contains(r"T\d\d:\d\d:\d\d", na=False)]
    return pd.to_datetime(iso, utc=True, format="ISO8601")


def test_timestamps_fall_inside_their_batch_window(base, follow_up):
    config = small_config()
    start = pd.Timestamp(config.start_date.isoformat(), tz="UTC")
    base_end = pd.Timestamp(config.end_date.isoformat(), tz="UTC") + pd.Timedelta(days=1)
    follow_up_end = base_end + pd.Timedelta(days=config.follow_up_days)
    for table, column in (
        ("web_events", "occurred_at"),
        ("consent_events", "occurred_at"),
        ("shop_orders", "ordered_at"),
    ):
        before = _instants(frame(base, table)[column])
        after = _instants(frame(follow_up, table)[column])
        assert start <= before.min() and before.max() < base_end, table
        assert base_end <= after.min() and after.max() < follow_up_end, table
