"""Identifier normalisation and hashing on known values, per platform rule (../shared/specs/destinations.md).

Expected hashes are SHA-256 hex digests of the documented normal form, written out so that a change in either
the normalisation or the hashing fails here. The first case is the FIPS 180-2 test vector.
"""

from __future__ import annotations

import datetime as dt

import pytest

from activation.syncs import pii


def test_sha256_is_lower_hex_of_utf8() -> None:
    assert pii.sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    # Accented letters are hashed as their UTF-8 bytes (c3 a9 for é), as Meta asks.
    assert pii.sha256_hex("émilie") == "2863487194ad92314c0d76b8e4fe04d127789e79c94081329c682b7beea2bf6c"
    assert pii.sha256_hex("émilie") != pii.sha256_hex("emilie")


@pytest.mark.parametrize(
    ("raw", "normalised", "digest"),
    [
        (
            "  John_Smith@Gmail.COM ",
            "john_smith@gmail.com",
            "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f",
        ),
        (
            "test@gmail.com",
            "test@gmail.com",
            "87924606b4131a8aceeeae8868531fbb9712aaa07a5d3a756b26ce0f5d6ca674",
        ),
        ("not-an-email", None, None),
        ("", None, None),
    ],
)
def test_email(raw: str, normalised: str | None, digest: str | None) -> None:
    assert pii.normalize_email(raw) == normalised
    if digest:
        assert pii.sha256_hex(normalised) == digest


@pytest.mark.parametrize(
    ("raw", "meta", "google"),
    [
        ("+1 (650) 555-1212", "16505551212", "+16505551212"),
        ("+33 6 12 34 56 78", "33612345678", "+33612345678"),
        ("0033612345678", "33612345678", "+33612345678"),
        ("06 12 34 56 78", "612345678", None),  # no country code: Meta's digits cannot match, Google refuses
        (None, None, None),
    ],
)
def test_phone(raw: str | None, meta: str | None, google: str | None) -> None:
    assert pii.meta_phone(raw) == meta
    assert pii.google_phone(raw) == google


def test_phone_hashes() -> None:
    # Meta hashes digits with the country code and no '+', Google the E.164 form with '+': different hashes.
    assert pii.sha256_hex(pii.meta_phone("+1 650 555 1212")) == (
        "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"
    )
    assert pii.sha256_hex(pii.google_phone("+1 650 555 1212")) == (
        "1e231c66011e7a2d867a9cfae267a6aff103cf4913640b6e71a99850fc0ffbc8"
    )


@pytest.mark.parametrize(
    ("raw", "meta", "google"),
    [
        ("John", "john", "john"),
        ("  Mary ", "mary", "mary"),
        ("Jean-Pierre", "jeanpierre", "jean-pierre"),
        ("O'Brien", "obrien", "o'brien"),
        ("Émilie", "émilie", "émilie"),
        ("E\u0301milie", "émilie", "émilie"),  # decomposed accent (NFD) normalised to NFC first
        ("Anne  Marie", "annemarie", "anne marie"),
        ("", None, None),
    ],
)
def test_names(raw: str, meta: str | None, google: str | None) -> None:
    assert pii.meta_name(raw) == meta
    assert pii.google_name(raw) == google


def test_name_hashes() -> None:
    assert (
        pii.sha256_hex(pii.meta_name("John"))
        == "96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a"
    )
    assert (
        pii.sha256_hex(pii.meta_name(" SMITH "))
        == "6627835f988e2c5e50533d491163072d3f4f41f5c8b04630150debb3722ca2dd"
    )


def test_meta_other_keys() -> None:
    assert pii.meta_gender("Female") == "f" and pii.meta_gender("M") == "m" and pii.meta_gender("x") is None
    assert (
        pii.sha256_hex(pii.meta_gender("m"))
        == "62c66a7a5dd70c3146618063c344e531e6d4b59e379808443ce962b3abd63c5a"
    )
    assert pii.meta_birth_date_parts(dt.date(1990, 1, 5)) == ("1990", "01", "05")
    assert pii.meta_birth_date_parts("1990-12-31") == ("1990", "12", "31")
    assert pii.meta_birth_date_parts("31/12/1990") is None
    assert pii.sha256_hex("1990") == "a7be8e1fe282a37cd666e0632b17d933fa13f21addf4798fc0455bc166e2488c"
    assert pii.meta_city("Saint-Étienne") == "saintétienne"
    assert pii.meta_state("CA") == "ca"
    assert pii.meta_postal_code("94035-1234") == "94035"
    assert pii.meta_postal_code("SW1A 1AA") == "sw1a1aa"
    assert pii.meta_country("FR") == "fr" and pii.meta_country("France") is None
    assert (
        pii.sha256_hex(pii.meta_country("US"))
        == "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"
    )
    assert pii.meta_mobile_advertiser_id("AECE52E7-03EE-455A-B3C4-E57283966239") == (
        "aece52e7-03ee-455a-b3c4-e57283966239"
    )


def test_google_clear_fields() -> None:
    assert pii.google_country("fr") == "FR"
    assert pii.google_postal_code(" 69003 ") == "69003"


def test_mailchimp_subscriber_hash_is_md5_of_the_lowercased_address() -> None:
    # The sample member of Mailchimp's API documentation examples (.../members/62eeb29...).
    assert (
        pii.mailchimp_subscriber_hash("Urist.McVankab@freddiesjokes.com")
        == "62eeb292278cc15f5817cb78f7790b08"
    )
    assert pii.mailchimp_subscriber_hash("  TEST@example.com ") == "55502f40dc8b7c769880b10874abc9d0"
    assert pii.mailchimp_subscriber_hash("not-an-email") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("+1 (650) 555-1212", "+16505551212"), ("0033612345678", "+33612345678"), ("06 12 34 56 78", None)],
)
def test_klaviyo_phone_is_e164_with_plus(raw: str, expected: str | None) -> None:
    assert pii.klaviyo_phone(raw) == expected


def test_linkedin_keys() -> None:
    # SHA256_EMAIL: the e-mail trimmed and lower-cased, then SHA-256 lower-case hex (64 characters).
    assert pii.sha256_hex(pii.normalize_email(" Test@Example.COM ") or "") == (
        "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"
    )
    # GOOGLE_AID in clear, the UUID lower-cased (the AAID example of Android's documentation).
    assert pii.linkedin_google_aid(" 38400000-8CF0-11BD-B23E-10B96E40000D ") == (
        "38400000-8cf0-11bd-b23e-10b96e40000d"
    )
    assert pii.linkedin_google_aid("not-an-id") is None and pii.linkedin_google_aid(None) is None
    # Names, title and company in clear as written: case and accents kept, spaces tidied.
    assert pii.linkedin_text("  Émilie   Anne ") == "Émilie Anne"
    assert pii.linkedin_text("   ") is None
