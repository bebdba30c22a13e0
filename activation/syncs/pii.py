"""Identifier normalisation and SHA-256 hashing, exactly as each platform documents it.

Ad platforms match people on hashes, so a value normalised differently from the platform's own rule hashes to
something that never matches (and the upload still "succeeds"). Each function below follows one documented
rule
(see /shared/specs/destinations.md for the sources) and returns None for a value that cannot be used, so the
caller leaves the identifier out instead of sending a hash of garbage.

Meta Custom Audiences (multi-key schema): email trimmed and lower-cased; phone as digits only with the country
code and no leading zeros or '+'; names lower-cased without punctuation or spaces (letters of any script kept,
UTF-8); gender 'm'/'f'; birth year/month/day as 'YYYY'/'MM'/'DD'; city lower-cased without spaces or
punctuation; state and country lower-cased letters (country ISO-3166 alpha-2); postcode lower-cased without
spaces, the part before '-'; external ids and mobile advertiser ids never hashed (the latter lower-cased).

Google Ads Customer Match: email trimmed and lower-cased; phone in E.164 with '+'; names trimmed and
lower-cased; country code (ISO alpha-2) and postcode sent in clear.

LinkedIn Matched Audiences (DMP segment users): email trimmed and lower-cased, SHA-256 (SHA256_EMAIL);
Google advertising ids (GOOGLE_AID) sent in clear as the lower-case UUID; firstName, lastName, title and
company sent in clear as written (trimmed); country as the ISO alpha-2 code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
_NON_DIGITS = re.compile(r"[^0-9]")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

_MALE = frozenset({"m", "male", "man", "h", "homme", "masculin"})
_FEMALE = frozenset({"f", "female", "woman", "femme", "feminin", "féminin"})


def sha256_hex(value: str) -> str:
    """SHA-256 of the UTF-8 bytes, lower-case hex: the encoding every platform here expects."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _text(value: object) -> str | None:
    """Trimmed text in Unicode NFC, so 'é' written as e + combining accent hashes like 'é'."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


def _letters(value: str) -> str:
    """Letters only, lower-cased: no spaces, punctuation or digits; accented and non-Latin letters kept."""
    return "".join(character for character in value.lower() if character.isalpha())


def normalize_email(value: object) -> str | None:
    """Trimmed and lower-cased; None unless it looks like an address (one '@', something on both sides)."""
    text = _text(value)
    if text is None:
        return None
    email = _WHITESPACE.sub("", text).lower()
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or "@" in domain:
        return None
    return email


# ----------------------------------------------------------------------------------------------- Meta


def meta_phone(value: object) -> str | None:
    """Digits only, leading zeros removed, country code first, no '+': '+33 6 12 34 56 78' -> '33612345678'.

    A national number ('06 12 34 56 78') cannot be told from an international one without a country, so the
    input is expected in E.164 (what staging produces, `phone_e164`); a leading '00' international prefix is
    handled by the zero stripping.
    """
    text = _text(value)
    if text is None:
        return None
    digits = _NON_DIGITS.sub("", text).lstrip("0")
    return digits if len(digits) >= 7 else None


def meta_name(value: object) -> str | None:
    """First or last name: lower-cased, without punctuation or spaces; accented letters kept (UTF-8)."""
    text = _text(value)
    if text is None:
        return None
    return _letters(text) or None


def meta_first_initial(value: object) -> str | None:
    name = meta_name(value)
    return name[0] if name else None


def meta_gender(value: object) -> str | None:
    text = _text(value)
    if text is None:
        return None
    lowered = text.lower()
    if lowered in _MALE:
        return "m"
    if lowered in _FEMALE:
        return "f"
    return None


def _as_date(value: object) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def meta_birth_date_parts(value: object) -> tuple[str, str, str] | None:
    """('YYYY', 'MM', 'DD') of an ISO date (or date object): DOBY, DOBM, DOBD."""
    date = _as_date(value)
    if date is None:
        return None
    return f"{date.year:04d}", f"{date.month:02d}", f"{date.day:02d}"


def meta_city(value: object) -> str | None:
    """Lower-cased, no spaces or punctuation: 'Saint-Étienne' -> 'saintétienne'."""
    return meta_name(value)


def meta_state(value: object) -> str | None:
    """Lower-cased letters: the 2-letter code for US states, the name otherwise."""
    return meta_name(value)


def meta_postal_code(value: object) -> str | None:
    """Lower-cased without spaces; for US ZIP+4 only the part before '-': '94035-1234' -> '94035'."""
    text = _text(value)
    if text is None:
        return None
    code = _WHITESPACE.sub("", text).lower().split("-", 1)[0]
    return code or None


def meta_country(value: object) -> str | None:
    """ISO-3166 alpha-2, lower-cased: 'FR' -> 'fr'; anything that is not two letters is unusable."""
    text = _text(value)
    if text is None:
        return None
    letters = _letters(text)
    return letters if len(letters) == 2 else None


def meta_mobile_advertiser_id(value: object) -> str | None:
    """IDFA/AAID, lower-cased, sent in clear."""
    text = _text(value)
    return text.lower() if text else None


# --------------------------------------------------------------------------------------------- Google


def google_phone(value: object) -> str | None:
    """E.164 with '+': '+33 6 12 34 56 78' -> '+33612345678'; without its country code it is unusable."""
    text = _text(value)
    if text is None:
        return None
    digits = _NON_DIGITS.sub("", text)
    if text.startswith("00"):
        digits = digits[2:]
    elif not text.startswith("+"):
        return None
    candidate = f"+{digits}"
    return candidate if _E164.match(candidate) else None


def google_name(value: object) -> str | None:
    """Trimmed, lower-cased, inner runs of spaces collapsed (Google keeps spaces and accents)."""
    text = _text(value)
    if text is None:
        return None
    return _WHITESPACE.sub(" ", text).lower()


def google_country(value: object) -> str | None:
    """ISO-3166 alpha-2, upper-cased (sent in clear)."""
    text = _text(value)
    if text is None:
        return None
    letters = _letters(text)
    return letters.upper() if len(letters) == 2 else None


def google_postal_code(value: object) -> str | None:
    """Sent in clear, as written, trimmed."""
    return _text(value)


# ------------------------------------------------------------------------------------------ e-mail tools


def mailchimp_subscriber_hash(value: object) -> str | None:
    """Mailchimp's member id: MD5 hex of the lower-cased address (Marketing API 3.0, `subscriber_hash`).

    The address is trimmed and lower-cased the same way `normalize_email` does, so the hash matches the one
    Mailchimp computes for the address we send; None when the value is not an address.
    """
    email = normalize_email(value)
    return hashlib.md5(email.encode("utf-8")).hexdigest() if email else None


def klaviyo_phone(value: object) -> str | None:
    """E.164 with '+' ('+33612345678'), the only form Klaviyo's `phone_number` accepts; else None."""
    return google_phone(value)


# ------------------------------------------------------------------------------------------- LinkedIn


def linkedin_text(value: object) -> str | None:
    """firstName, lastName, title, company: sent in clear as written, trimmed, inner runs of spaces collapsed
    (LinkedIn matches them itself; its examples keep the case)."""
    text = _text(value)
    return _WHITESPACE.sub(" ", text) if text else None


def linkedin_google_aid(value: object) -> str | None:
    """Android advertising id (GOOGLE_AID), sent in clear: a UUID, lower-cased; anything else is unusable."""
    text = _text(value)
    if text is None:
        return None
    candidate = text.lower()
    return candidate if _UUID.match(candidate) else None
