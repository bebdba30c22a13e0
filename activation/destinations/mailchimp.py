"""Mailchimp audiences (Marketing API 3.0): members subscribed and unsubscribed in batches of 500.

Request: `POST {base}/3.0/lists/{list_id}` with `{"members": [{"email_address", "status", "merge_fields"}],
"update_existing": true}`, at most 500 members a call (Mailchimp's cap for "Batch subscribe or unsubscribe
list members"). Auth is HTTP Basic with any user name and the API key as password; the host is
`https://{dc}.api.mailchimp.com`, where `dc` is the key's suffix after the last '-' (`...-us21` -> `us21`),
unless `base_url` is set.

Mailchimp answers 200 even when members fail: `errors[]` items carry `email_address`, `error` and
`error_code`; they are mapped back to the batch's records through the subscriber hash (MD5 of the lower-cased
address, which is how Mailchimp itself identifies a member), and are not retryable: they are the member's
state on Mailchimp's side (compliance state, an address it considers fake, a forgotten address), which a
resend cannot change.

Removal semantics: a removed record is set to `status: unsubscribed` (the documented way to take someone out
of an audience's sends while keeping their history and opt-out). We never archive
(`DELETE .../members/{hash}`) or delete permanently: a permanently deleted address can never be re-added
through the API ("Forgotten Email Not Subscribed"). An update whose e-mail changed subscribes the new address
and unsubscribes the previous one.
Addresses that cannot be an e-mail are rejected before sending (code invalid_email).

Throttling: Mailchimp limits each account to 10 simultaneous connections and answers 429 beyond that, with
no rate-limit headers; the engine backs off with jitter (honouring a Retry-After if one ever comes). 401
(API Key Invalid) and 403 stop the sync, as does 404 on the list (no batch can succeed); 5xx are retried.

Decisions on points our research left UNCONFIRMED (../shared/specs/destinations.md, section 5):
- `error_code` in `errors[]` (e.g. ERROR_CONTACT_EXISTS, ERROR_GENERIC): read when present, else the code is
  `mailchimp_member_error`. Not confirmed from a primary source here: the stored docs seen (the `mailchimp`
  crate's ListBatchErrors on docs.rs) model only `email_address` and `error`, which is all the mapping needs.
- Archive and permanent delete are not used at all (see above), so their exact contracts do not matter.
- Sources: Mailchimp Marketing API reference "Batch subscribe or unsubscribe" (up to 500 members,
  `update_existing`), "Methods and paths" (subscriber hash), "Fundamentals" (10 simultaneous connections,
  429); the spec's [AZ-mc], [KS-mc], [RS-mc utils.js], [3P-mc-log].
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

import requests
from pydantic import Field, HttpUrl

from activation.destinations.base import (
    Batch,
    BatchOutcome,
    Destination,
    DestinationSettings,
    Rejection,
    SecretEnv,
    unmapped_names,
)
from activation.errors import (
    ConfigurationError,
    FatalDestinationError,
    TransientDestinationError,
)
from activation.syncs import pii
from activation.syncs.delivery import BODY_EXCERPT_CHARS, Redactor, default_classifier

MAX_MEMBERS = 500
# Mailchimp's own limit per account; more workers only earn 429s.
MAX_CONNECTIONS = 10
DEFAULT_MERGE_FIELDS = {"FNAME": "first_name", "LNAME": "last_name"}
_DATA_CENTRE = re.compile(r"-([a-z]+[0-9]+)$")


class MailchimpSettings(DestinationSettings):
    list_id: str = Field(pattern=r"^[0-9a-zA-Z]+$", description="Audience (list) id.")
    api_key_env: SecretEnv = Field(description="Environment variable holding the API key (<key>-<dc>).")
    base_url: HttpUrl | None = Field(
        None, description="API host; default https://<dc>.api.mailchimp.com from the key's suffix."
    )
    subscribe_status: Literal["subscribed", "pending"] = Field(
        "subscribed", description="Status of added members: subscribed, or pending (double opt-in e-mail)."
    )
    merge_fields: dict[str, str] | None = Field(
        None,
        description=(
            "Merge tag -> sync field or identifier name; default FNAME/LNAME from first_name/last_name "
            "when the sync maps them."
        ),
    )
    skip_merge_validation: bool = Field(
        False, description="Accept members lacking required merge fields (Mailchimp's query flag)."
    )
    timeout_seconds: float = Field(60.0, gt=0, description="Per-request timeout.")


def data_centre(api_key: str) -> str:
    """The data centre of a Mailchimp API key: the part after its last '-' ('0123abc-us21' -> 'us21')."""
    match = _DATA_CENTRE.search(api_key.strip())
    if not match:
        raise ConfigurationError(
            "The Mailchimp API key has no data-centre suffix (like -us21); set base_url or check the key"
        )
    return match.group(1)


def classify_mailchimp_response(response: requests.Response, redact: Redactor) -> None:
    """The shared table, except a missing list (404) stops the sync: no batch can reach it."""
    if response.status_code == 404:
        raise FatalDestinationError(
            "Mailchimp does not know this list (check list_id)",
            status=404,
            url=redact(response.url),
            body=redact(response.text[:BODY_EXCERPT_CHARS]),
        )
    default_classifier(response, redact)


class MailchimpDestination(Destination):
    type_name = "mailchimp"
    summary = "Mailchimp audience members: batch subscribe/update (500 a call), unsubscribe on removal."
    Settings = MailchimpSettings
    max_batch_size = MAX_MEMBERS
    default_batch_size = MAX_MEMBERS
    default_max_concurrency = 4
    # An import or batch upsert creates whoever is missing: 'update only' cannot be honoured.
    supported_modes = ("upsert", "mirror", "add_only")
    default_consent_channel = "email"
    accepted_identifiers = ("email",)
    needs_identifier = True
    delivery_semantics = (
        "Each call upserts up to 500 members by e-mail (update_existing): a repeated batch sets the same "
        "status and merge fields again and changes nothing. Per-member errors come back in a 200 and are "
        "stored as rejections. Removal sets status 'unsubscribed' (never archive or permanent delete). At "
        "most 10 concurrent connections per Mailchimp account."
    )

    settings: MailchimpSettings

    @classmethod
    def check_sync(
        cls, settings: DestinationSettings, identifiers: dict[str, str], fields: dict[str, str]
    ) -> list[tuple[str, str]]:
        problems = super().check_sync(settings, identifiers, fields)
        assert isinstance(settings, MailchimpSettings)
        problems += unmapped_names("merge_fields", settings.merge_fields, identifiers, fields)
        return problems

    def open(self) -> None:
        api_key = self.context.secret(self.settings, "api_key_env") or ""
        if self.settings.base_url is not None:
            base = str(self.settings.base_url).rstrip("/")
        else:
            base = f"https://{data_centre(api_key)}.api.mailchimp.com"
        self._url = f"{base}/3.0/lists/{self.settings.list_id}"
        self._auth = ("cdp", api_key)
        mapped = set(self.context.identifiers) | set(self.context.fields)
        if self.settings.merge_fields is not None:
            self._merge_fields = dict(self.settings.merge_fields)
        else:
            self._merge_fields = {tag: name for tag, name in DEFAULT_MERGE_FIELDS.items() if name in mapped}

    def member(self, email: str, status: str, fields: dict[str, Any] | None) -> dict[str, Any]:
        member: dict[str, Any] = {"email_address": email, "status": status}
        if fields is not None:
            merge = {
                tag: _merge_value(fields.get(name))
                for tag, name in self._merge_fields.items()
                if fields.get(name) is not None
            }
            if merge:
                member["merge_fields"] = merge
        return member

    def send(self, batch: Batch) -> BatchOutcome:
        outcome = BatchOutcome()
        members: list[dict[str, Any]] = []
        # Subscriber hash -> record keys: how Mailchimp's per-member errors find their records.
        keys_by_hash: dict[str, list[str]] = {}
        status = "unsubscribed" if batch.operation == "remove" else self.settings.subscribe_status
        for record in batch.rows():
            email = pii.normalize_email(record.fields.get("email"))
            if email is None:
                if batch.operation == "remove":
                    # Nothing we could have subscribed: there is nothing to take out either.
                    continue
                outcome.rejections.append(
                    Rejection(record.key, "invalid_email", "no usable e-mail address", retryable=False)
                )
                continue
            digest = pii.mailchimp_subscriber_hash(email) or ""
            keys_by_hash.setdefault(digest, []).append(record.key)
            members.append(self.member(email, status, None if batch.operation == "remove" else record.fields))
            if batch.operation == "update" and record.previous_identity:
                previous = pii.normalize_email(record.previous_identity.get("email"))
                if previous is not None and previous != email:
                    members.append(self.member(previous, "unsubscribed", None))
        for start in range(0, len(members), MAX_MEMBERS):
            chunk = members[start : start + MAX_MEMBERS]
            self._post(chunk, keys_by_hash, outcome)
        return outcome

    def _post(
        self, members: list[dict[str, Any]], keys_by_hash: dict[str, list[str]], outcome: BatchOutcome
    ) -> None:
        params = {"skip_merge_validation": "true"} if self.settings.skip_merge_validation else None
        response = self.context.transport.request(
            "POST",
            self._url,
            params=params,
            json={"members": members, "update_existing": True},
            auth=self._auth,
            timeout=self.settings.timeout_seconds,
            classify=classify_mailchimp_response,
        )
        try:
            answer = response.json()
        except ValueError:
            raise TransientDestinationError(
                "Mailchimp answered 2xx without JSON", status=response.status_code
            ) from None
        unmatched = 0
        for error in answer.get("errors") or []:
            digest = pii.mailchimp_subscriber_hash(error.get("email_address"))
            keys = keys_by_hash.get(digest or "")
            if not keys:
                # An error on a previous address being unsubscribed, or one Mailchimp rewrote.
                unmatched += 1
                continue
            # Mailchimp names the address in its message: the state keeps the reason, not the address.
            text = str(error.get("error") or "").replace(str(error.get("email_address")), "<email>")
            message = (self.context.redact(text) or "")[:BODY_EXCERPT_CHARS]
            code = str(error.get("error_code") or "mailchimp_member_error")
            outcome.rejections.extend(Rejection(key, code, message, retryable=False) for key in keys)
        if unmatched:
            outcome.warnings.append(
                f"Mailchimp reported {unmatched} member errors on addresses outside the batch's records"
            )


def _merge_value(value: Any) -> Any:
    # Merge fields are text, numbers or (address) objects; anything else goes as its JSON text.
    if isinstance(value, str | int | float | dict):
        return value
    return json.dumps(value, default=str)
