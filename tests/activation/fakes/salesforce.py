"""A fake Salesforce org: sObject Collections upsert / update / delete, a SOQL subset, API usage and limits.

Contract enforced (../shared/specs/destinations.md, section 7): `Authorization: Bearer <token>` or 401
`[{"errorCode": "INVALID_SESSION_ID"}]`; `PATCH
/services/data/vXX.X/composite/sobjects/{SObject}/{ExtIdField}` with `{"allOrNone", "records"}`, 1 to 200
records (else 400 EXCEEDED_ID_LIMIT), each with `attributes.type` = the URI's SObject (else 400 INVALID_TYPE),
no `Id`, the external id field set, only existing fields (else 400 INVALID_FIELD for the whole request).
Answers 200 with a list in request order of `{id, success, created, errors: [{statusCode, message, fields}]}`:
an invalid Email is INVALID_EMAIL_ADDRESS, a Contact created without LastName REQUIRED_FIELD_MISSING, a key in
`locked_keys` UNABLE_TO_LOCK_ROW, a key in `rejected_keys` FIELD_CUSTOM_VALIDATION_EXCEPTION. `PATCH
/composite/sobjects` updates by `id`; `DELETE /composite/sobjects?ids=...` at most 200 Ids (ENTITY_IS_DELETED
for unknown ones); `GET /query?q=SELECT Id, F FROM O WHERE F IN ('a', ...)`. Every answer carries
`Sforce-Limit-Info: api-usage=N/M`; `throttle_next` answers 403 REQUEST_LIMIT_EXCEEDED
"ConcurrentPerOrgLongTxn Limit exceeded." and a used-up allocation 403 REQUEST_LIMIT_EXCEEDED "TotalRequests
Limit exceeded.".
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.activation.fakes.server import LoopbackServer, Request, Response

TOKEN = "00Dfixture!AQ8AQ-salesforce-access-token-0123456789"
API_VERSION = "v62.0"
SOBJECT = "Contact"
EXTERNAL_ID = "CDP_Customer_Id__c"
MAX_RECORDS = 200
FIELDS = {
    "Email",
    "Phone",
    "FirstName",
    "LastName",
    "Birthdate",
    "MailingCity",
    "MailingState",
    "MailingPostalCode",
    "MailingCountry",
    "Lifetime_Value__c",
    "In_CDP_Segment__c",
    EXTERNAL_ID,
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SOQL = re.compile(
    r"^SELECT Id, (?P<field>\w+) FROM (?P<object>\w+) WHERE (?P=field) IN \((?P<values>.*)\)$", re.DOTALL
)
SOQL_VALUE = re.compile(r"'((?:[^'\\]|\\.)*)'")


def sf_error(status: int, code: str, message: str) -> Response:
    body = json.dumps([{"message": message, "errorCode": code}]).encode()
    return Response(status, body, {"Content-Type": "application/json"})


def _result(record_id: str | None, created: bool | None = None, errors: list[dict[str, Any]] | None = None):
    result: dict[str, Any] = {"id": record_id, "success": not errors, "errors": errors or []}
    if created is not None:
        result["created"] = created
    return result


def _record_error(code: str, message: str, fields: list[str] | None = None) -> list[dict[str, Any]]:
    return [{"statusCode": code, "message": message, "fields": fields or []}]


@dataclass
class FakeSalesforce:
    token: str = TOKEN
    throttle_next: int = 0
    api_used: int = 1_000
    api_allocation: int = 100_000
    rejected_keys: set[str] = field(default_factory=set)
    locked_keys: set[str] = field(default_factory=set)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # Id -> fields
    deleted: set[str] = field(default_factory=set)
    upserts: Counter[str] = field(default_factory=Counter)
    refusals: list[tuple[int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._sequence = 1
        self.server = LoopbackServer(self.handle)

    @property
    def url(self) -> str:
        return self.server.url

    def reset(self) -> None:
        with self._lock:
            self.token = TOKEN
            self.throttle_next = 0
            self.api_used, self.api_allocation = 1_000, 100_000
            self.rejected_keys.clear()
            self.locked_keys.clear()
            self.records.clear()
            self.deleted.clear()
            self.upserts.clear()
            self.refusals.clear()
            self._sequence = 1
            self.server.requests.clear()

    def by_external_id(self) -> dict[str, dict[str, Any]]:
        return {fields[EXTERNAL_ID]: fields for fields in self.records.values()}

    # ------------------------------------------------------------------------------------------- serving

    def _headers(self) -> dict[str, str]:
        return {
            "Content-Type": "application/json;charset=UTF-8",
            "Sforce-Limit-Info": f"api-usage={self.api_used}/{self.api_allocation}",
        }

    def _refuse(self, response: Response) -> Response:
        self.refusals.append((response.status, json.loads(response.body)[0]["errorCode"]))
        response.headers.update(self._headers())
        return response

    def _answer(self, body: Any) -> Response:
        return Response(200, json.dumps(body).encode(), self._headers())

    def handle(self, request: Request) -> Response:
        with self._lock:
            if request.headers.get("authorization") != f"Bearer {self.token}":
                return self._refuse(sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid"))
            if self.api_used >= self.api_allocation:
                return self._refuse(sf_error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."))
            if self.throttle_next:
                self.throttle_next -= 1
                return self._refuse(
                    sf_error(403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.")
                )
            self.api_used += 1
            prefix = f"/services/data/{API_VERSION}"
            if not request.path.startswith(prefix + "/"):
                return self._refuse(sf_error(404, "NOT_FOUND", "The requested resource does not exist"))
            path, method = request.path[len(prefix) :], request.method
            if method == "GET" and path == "/query":
                return self._query(request.query.get("q", [""])[0])
            if method == "DELETE" and path == "/composite/sobjects":
                return self._delete(request.query)
            body = self._json(request.body)
            if isinstance(body, Response):
                return body
            if method == "PATCH" and path == "/composite/sobjects":
                return self._update(body)
            match = re.fullmatch(r"/composite/sobjects/(\w+)/(\w+)", path)
            if method == "PATCH" and match:
                return self._upsert(match.group(1), match.group(2), body)
            return self._refuse(sf_error(404, "NOT_FOUND", "The requested resource does not exist"))

    def _json(self, raw: bytes) -> Any:
        try:
            return json.loads(raw)
        except ValueError:
            return self._refuse(sf_error(400, "JSON_PARSER_ERROR", "Unexpected character"))

    def _check_records(self, body: Any, sobject: str) -> Response | list[dict[str, Any]]:
        if not isinstance(body, dict) or set(body) - {"allOrNone", "records"}:
            return self._refuse(sf_error(400, "JSON_PARSER_ERROR", "Unrecognized field in the request"))
        records = body.get("records")
        if not isinstance(records, list) or not records:
            return self._refuse(sf_error(400, "INVALID_FIELD", "records is required"))
        if len(records) > MAX_RECORDS:
            return self._refuse(
                sf_error(
                    400,
                    "EXCEEDED_ID_LIMIT",
                    f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call",
                )
            )
        for record in records:
            if not isinstance(record, dict) or (record.get("attributes") or {}).get("type") != sobject:
                return self._refuse(sf_error(400, "INVALID_TYPE", "every record needs attributes.type"))
            unknown = [name for name in record if name not in FIELDS | {"attributes", "id"}]
            if unknown:
                return self._refuse(
                    sf_error(
                        400, "INVALID_FIELD", f"No such column '{unknown[0]}' on sobject of type {sobject}"
                    )
                )
        return records

    def _field_errors(self, fields: dict[str, Any], creating: bool) -> list[dict[str, Any]]:
        email = fields.get("Email")
        if email is not None and not EMAIL.match(str(email)):
            return _record_error("INVALID_EMAIL_ADDRESS", f"Email: invalid email address: {email}", ["Email"])
        if creating and not fields.get("LastName"):
            return _record_error(
                "REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]", ["LastName"]
            )
        return []

    def _upsert(self, sobject: str, external_field: str, body: Any) -> Response:
        if sobject != SOBJECT:
            return self._refuse(
                sf_error(404, "NOT_FOUND", f"The requested resource does not exist: {sobject}")
            )
        if external_field != EXTERNAL_ID:
            return self._refuse(
                sf_error(400, "INVALID_FIELD", f"Field {external_field} is not an external id")
            )
        records = self._check_records(body, sobject)
        if isinstance(records, Response):
            return records
        if any("id" in record or "Id" in record or not record.get(EXTERNAL_ID) for record in records):
            return self._refuse(sf_error(400, "INVALID_FIELD", "Use the external id, not Id, in an upsert"))
        index = {fields[EXTERNAL_ID]: record_id for record_id, fields in self.records.items()}
        results = []
        for record in records:
            key = record[EXTERNAL_ID]
            fields = {name: value for name, value in record.items() if name != "attributes"}
            record_id = index.get(key)
            if key in self.locked_keys:
                results.append(
                    _result(None, errors=_record_error("UNABLE_TO_LOCK_ROW", "unable to obtain lock"))
                )
                continue
            if key in self.rejected_keys:
                results.append(
                    _result(
                        None, errors=_record_error("FIELD_CUSTOM_VALIDATION_EXCEPTION", "rule refused it")
                    )
                )
                continue
            errors = self._field_errors(fields, creating=record_id is None)
            if errors:
                results.append(_result(None, errors=errors))
                continue
            created = record_id is None
            if record_id is None:
                record_id = f"003fx{self._sequence:013d}"
                self._sequence += 1
                self.records[record_id] = {}
                index[key] = record_id
            self.records[record_id].update(fields)
            self.upserts[key] += 1
            results.append(_result(record_id, created=created))
        return self._answer(results)

    def _update(self, body: Any) -> Response:
        records = self._check_records(body, SOBJECT)
        if isinstance(records, Response):
            return records
        results = []
        for record in records:
            record_id = record.get("id")
            fields = {name: value for name, value in record.items() if name not in ("attributes", "id")}
            if record_id not in self.records:
                results.append(
                    _result(record_id, errors=_record_error("ENTITY_IS_DELETED", "entity is deleted"))
                )
                continue
            errors = self._field_errors(fields, creating=False)
            if errors:
                results.append(_result(record_id, errors=errors))
                continue
            self.records[record_id].update(fields)
            results.append(_result(record_id))
        return self._answer(results)

    def _delete(self, query: dict[str, list[str]]) -> Response:
        ids = [value for value in ",".join(query.get("ids", [])).split(",") if value]
        if not ids:
            return self._refuse(sf_error(400, "MALFORMED_QUERY", "ids is required"))
        if len(ids) > MAX_RECORDS:
            return self._refuse(sf_error(400, "EXCEEDED_ID_LIMIT", f"more than {MAX_RECORDS} ids"))
        if query.get("allOrNone", ["false"])[0] not in ("true", "false"):
            return self._refuse(sf_error(400, "INVALID_QUERY_PARAMETER", "allOrNone is true or false"))
        results = []
        for record_id in ids:
            if record_id in self.records:
                self.records.pop(record_id)
                self.deleted.add(record_id)
                results.append(_result(record_id))
            else:
                results.append(_result(None, errors=_record_error("ENTITY_IS_DELETED", "entity is deleted")))
        return self._answer(results)

    def _query(self, soql: str) -> Response:
        match = SOQL.match(soql.strip())
        if match is None:
            return self._refuse(sf_error(400, "MALFORMED_QUERY", f"unexpected query: {soql[:80]}"))
        if match.group("object") != SOBJECT or match.group("field") not in FIELDS:
            return self._refuse(sf_error(400, "INVALID_TYPE", "sObject type or field is not supported"))
        wanted_field = match.group("field")
        values = {re.sub(r"\\(.)", r"\1", value) for value in SOQL_VALUE.findall(match.group("values"))}
        rows = [
            {
                "attributes": {
                    "type": SOBJECT,
                    "url": f"/services/data/{API_VERSION}/sobjects/{SOBJECT}/{rid}",
                },
                "Id": rid,
                wanted_field: fields.get(wanted_field),
            }
            for rid, fields in self.records.items()
            if fields.get(wanted_field) in values
        ]
        return self._answer({"totalSize": len(rows), "done": True, "records": rows})
