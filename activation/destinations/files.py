"""Files: each batch written as one CSV, JSON Lines or Parquet file, in a directory per run.

    <directory>/<sync>/<run id>/<operation>-<sequence>.<ext>       e.g. add-000001.csv, remove-000001.csv

Layouts:
  records                    key, action, then the sync's identifiers and fields (csv, jsonl or parquet)
  meta_customer_list         Meta's customer-list upload columns (email, phone, fn, ln, ct, st, zip, country,
                             doby, gen, madid, value), normalised as Meta documents and SHA-256 hashed unless
                             `hashed: false` (madid is never hashed); csv
  google_ads_customer_list   Google Ads Customer Match upload columns (Email, Phone, First Name, Last Name,
                             Country, Zip): email, phone (E.164) and names normalised and hashed unless
                             `hashed: false`, country and postcode in clear; csv

An update in a customer-list layout is an `update-<seq>-add` file of the new identifiers and, when they
changed, an `update-<seq>-remove` file of the previous ones: lists match people on identifiers, so the old
ones must come out.

Delivery semantics: a file is written to a temporary name and renamed into place, so it is complete or absent;
a resent batch rewrites the same file name with the same rows, so a crash never leaves a duplicate file.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import Field, model_validator

from activation.destinations.base import Batch, BatchOutcome, Destination, DestinationSettings, Record
from activation.syncs import pii

Normaliser = Callable[[Any], str | None]

# (column header, identifier, normaliser, hashed when hashing is on)
META_COLUMNS: tuple[tuple[str, str, Normaliser, bool], ...] = (
    ("email", "email", pii.normalize_email, True),
    ("phone", "phone", pii.meta_phone, True),
    ("fn", "first_name", pii.meta_name, True),
    ("ln", "last_name", pii.meta_name, True),
    ("ct", "city", pii.meta_city, True),
    ("st", "state", pii.meta_state, True),
    ("zip", "postal_code", pii.meta_postal_code, True),
    ("country", "country", pii.meta_country, True),
    ("doby", "birth_date", lambda value: (pii.meta_birth_date_parts(value) or (None,))[0], True),
    ("gen", "gender", pii.meta_gender, True),
    ("madid", "mobile_advertiser_id", pii.meta_mobile_advertiser_id, False),
)
GOOGLE_COLUMNS: tuple[tuple[str, str, Normaliser, bool], ...] = (
    ("Email", "email", pii.normalize_email, True),
    ("Phone", "phone", pii.google_phone, True),
    ("First Name", "first_name", pii.google_name, True),
    ("Last Name", "last_name", pii.google_name, True),
    ("Country", "country", pii.google_country, False),
    ("Zip", "postal_code", pii.google_postal_code, False),
)
LAYOUT_COLUMNS = {"meta_customer_list": META_COLUMNS, "google_ads_customer_list": GOOGLE_COLUMNS}


class FilesSettings(DestinationSettings):
    directory: str = Field(description="Directory the files go to (created if missing).")
    format: Literal["csv", "jsonl", "parquet"] = Field("csv", description="File format.")
    layout: Literal["records", "meta_customer_list", "google_ads_customer_list"] = Field(
        "records", description="Columns: the sync's own, or a platform's customer-list upload layout."
    )
    hashed: bool = Field(
        True, description="Customer-list layouts: SHA-256 the identifiers the platform hashes."
    )
    consent_channel: str = Field(
        pattern=r"^(none|[a-z][a-z0-9_]*)$",
        description="Consent channel every record needs (email, sms, phone, ads_personalisation), or none.",
    )

    @model_validator(mode="after")
    def _csv_for_platform_layouts(self) -> FilesSettings:
        if self.layout != "records" and self.format != "csv":
            raise ValueError(f"layout {self.layout} is uploaded as CSV: set format: csv")
        return self


class FilesDestination(Destination):
    type_name = "files"
    summary = (
        "CSV / JSON Lines / Parquet files per batch, including Meta and Google Ads customer-list layouts."
    )
    Settings = FilesSettings
    max_batch_size = 1_000_000
    default_batch_size = 50_000
    default_max_concurrency = 2
    delivery_semantics = (
        "One file per batch, written atomically (temporary name, then rename); a resent batch rewrites "
        "the same "
        "file. Removals are remove-* files (mirror mode)."
    )

    settings: FilesSettings

    @classmethod
    def check_sync(
        cls, settings: DestinationSettings, identifiers: dict[str, str], fields: dict[str, str]
    ) -> list[tuple[str, str]]:
        problems = super().check_sync(settings, identifiers, fields)
        assert isinstance(settings, FilesSettings)
        if settings.layout in LAYOUT_COLUMNS:
            usable = {
                identifier for _header, identifier, _normalise, _hashed in LAYOUT_COLUMNS[settings.layout]
            }
            for name in identifiers:
                if name not in usable:
                    problems.append(
                        (
                            f"identifiers.{name}",
                            f"layout {settings.layout} has no column for it: {', '.join(sorted(usable))}",
                        )
                    )
            if not identifiers:
                problems.append(("identifiers", f"layout {settings.layout} needs at least one identifier"))
        return problems

    @classmethod
    def keeps_identity(cls, settings: DestinationSettings) -> bool:
        # Customer lists remove people by identifiers; record files by key.
        return isinstance(settings, FilesSettings) and settings.layout != "records"

    def _directory(self, batch: Batch) -> Path:
        return Path(self.settings.directory) / batch.sync_name / batch.run_id

    def send(self, batch: Batch) -> BatchOutcome:
        directory = self._directory(batch)
        directory.mkdir(parents=True, exist_ok=True)
        stem = f"{batch.operation}-{batch.sequence:06d}"
        rows = batch.rows()
        if self.settings.layout == "records":
            self._write(directory / f"{stem}.{self.settings.format}", self._record_rows(batch, rows))
            return BatchOutcome(requests=1)
        columns = LAYOUT_COLUMNS[self.settings.layout]
        if batch.operation == "update":
            added = [self._list_row(columns, record.fields) for record in rows]
            removed = [
                self._list_row(columns, record.previous_identity)
                for record in rows
                if record.previous_identity is not None
                and self._list_row(columns, record.previous_identity)
                != self._list_row(columns, record.fields)
            ]
            self._write_list(directory / f"{stem}-add.csv", columns, added)
            if removed:
                self._write_list(directory / f"{stem}-remove.csv", columns, removed)
            return BatchOutcome(requests=1 + bool(removed))
        self._write_list(
            directory / f"{stem}.csv", columns, [self._list_row(columns, record.fields) for record in rows]
        )
        return BatchOutcome(requests=1)

    def _record_rows(self, batch: Batch, rows: list[Record]) -> list[dict[str, Any]]:
        names = [*self.context.identifiers, *self.context.fields]
        return [
            {
                "key": record.key,
                "action": batch.operation,
                **{name: record.fields.get(name) for name in names},
            }
            for record in rows
        ]

    def _list_row(
        self, columns: tuple[tuple[str, str, Normaliser, bool], ...], fields: dict[str, Any]
    ) -> list[str]:
        values = []
        for _header, identifier, normalise, hashable in columns:
            if identifier not in self.context.identifiers:
                continue
            value = normalise(fields.get(identifier))
            if value is not None and hashable and self.settings.hashed:
                value = pii.sha256_hex(value)
            values.append(value or "")
        return values

    def _write_list(
        self, path: Path, columns: tuple[tuple[str, str, Normaliser, bool], ...], rows: list[list[str]]
    ) -> None:
        headers = [
            header
            for header, identifier, _normalise, _hashed in columns
            if identifier in self.context.identifiers
        ]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(rows)
        _write_atomically(path, buffer.getvalue().encode("utf-8"))

    def _write(self, path: Path, rows: list[dict[str, Any]]) -> None:
        if self.settings.format == "csv":
            buffer = io.StringIO()
            names = ["key", "action", *self.context.identifiers, *self.context.fields]
            writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
            writer.writeheader()
            writer.writerows([{name: _csv_value(row.get(name)) for name in names} for row in rows])
            _write_atomically(path, buffer.getvalue().encode("utf-8"))
        elif self.settings.format == "jsonl":
            text = "".join(
                json.dumps(
                    {
                        "key": row["key"],
                        "action": row["action"],
                        "fields": {k: v for k, v in row.items() if k not in ("key", "action")},
                    },
                    ensure_ascii=False,
                )
                + "\n"
                for row in rows
            )
            _write_atomically(path, text.encode("utf-8"))
        else:
            table = pa.Table.from_pylist(rows) if rows else pa.table({"key": pa.array([], pa.string())})
            buffer = io.BytesIO()
            pq.write_table(table, buffer)
            _write_atomically(path, buffer.getvalue())


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def _write_atomically(path: Path, content: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(temporary, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
