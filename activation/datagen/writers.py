"""Writing generated tables (CSV or Parquet, appended chunk by chunk) and loading them into DuckDB.

Every value is text; a missing value is an empty CSV field or a Parquet null. CSV quoting is minimal but a
value with a comma, a quote, a line break or leading/trailing whitespace is always quoted, so that readers
keep " Jean.Dupont@Gmail.com " exactly as generated.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .schema import PERSONS_TABLE, TABLE_COLUMNS, TRUTH_TABLE, output_columns
from .text import STRING, join

logger = logging.getLogger(__name__)

FORMATS = ("csv", "parquet")
MANIFEST_NAME = "_datagen_manifest.json"
MANIFEST_VERSION = 1
_NEEDS_QUOTES = r'[",\r\n]|^\s|\s$'
_CSV_SLICE_ROWS = 250_000
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"fmt: must be one of {', '.join(FORMATS)}, got {fmt!r}")
    return fmt


def normalise_table(table: pa.Table, name: str) -> pa.Table:
    """Contract column order, string type, and empty strings as nulls ("empty = missing")."""
    columns = output_columns(name)
    if tuple(table.column_names) != columns:
        raise ValueError(
            f"table {name}: columns {table.column_names} do not match the contract {list(columns)}"
        )
    arrays = []
    for column in table.columns:
        values = (
            column.combine_chunks().cast(STRING) if column.num_chunks != 1 else column.chunk(0).cast(STRING)
        )
        arrays.append(pc.if_else(pc.equal(values, ""), pa.scalar(None, STRING), values))
    return pa.Table.from_arrays(arrays, names=list(columns))


def _csv_field(values: pa.Array) -> pa.Array:
    needs_quotes = pc.fill_null(pc.match_substring_regex(values, _NEEDS_QUOTES), False)
    quoted = join('"', pc.replace_substring(values, '"', '""'), '"')
    return pc.fill_null(pc.if_else(needs_quotes, quoted, values), "")


def csv_bytes(table: pa.Table) -> bytes:
    """RFC 4180 lines (no header) of an all-string table, built with Arrow kernels (no per-row Python)."""
    if table.num_rows == 0:
        return b""
    fields = [_csv_field(column.combine_chunks()) for column in table.columns]
    lines = pc.binary_join_element_wise(*fields, ",") if len(fields) > 1 else fields[0]
    lines = join(lines, "\n")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
    data = lines.buffers()[2]
    return data.to_pybytes()[offsets[0] : offsets[-1]]


class TableWriter:
    """One output file per table, appended to chunk by chunk."""

    def __init__(self, directory: Path, fmt: str) -> None:
        self.directory = Path(directory)
        self.fmt = check_format(fmt)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.rows: dict[str, int] = {}
        self._parquet: dict[str, pq.ParquetWriter] = {}
        self._csv: dict[str, Any] = {}

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.{self.fmt}"

    def write(self, name: str, table: pa.Table) -> None:
        table = normalise_table(table, name)
        self.rows[name] = self.rows.get(name, 0) + table.num_rows
        if self.fmt == "parquet":
            writer = self._parquet.get(name)
            if writer is None:
                writer = pq.ParquetWriter(self.path(name), table.schema, compression="zstd")
                self._parquet[name] = writer
            writer.write_table(table, row_group_size=1_000_000)
        else:
            handle = self._csv.get(name)
            if handle is None:
                handle = open(self.path(name), "wb")  # noqa: SIM115 - kept open across chunks, closed in close()
                handle.write((",".join(table.column_names) + "\n").encode("utf-8"))
                self._csv[name] = handle
            for start in range(0, table.num_rows, _CSV_SLICE_ROWS):
                handle.write(csv_bytes(table.slice(start, _CSV_SLICE_ROWS)))

    def close(self) -> dict[str, int]:
        for writer in self._parquet.values():
            writer.close()
        for handle in self._csv.values():
            handle.close()
        self._parquet.clear()
        self._csv.clear()
        return dict(self.rows)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# --------------------------------------------------------------------------------------------- manifest


def write_manifest(directory: Path, content: dict[str, Any]) -> Path:
    path = Path(directory) / MANIFEST_NAME
    path.write_text(
        json.dumps({"manifest_version": MANIFEST_VERSION, **content}, indent=2, sort_keys=True) + "\n"
    )
    return path


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of a generated data set (raises ValueError naming the directory when absent/invalid)."""
    path = Path(directory) / MANIFEST_NAME
    if not path.is_file():
        raise ValueError(
            f"follow_up_of: {directory} has no {MANIFEST_NAME}; was it written by activation.datagen?"
        )
    try:
        content = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"follow_up_of: {path} is not valid JSON ({error})") from error
    if content.get("manifest_version") != MANIFEST_VERSION:
        raise ValueError(
            f"follow_up_of: {path} has manifest version {content.get('manifest_version')}, "
            f"expected {MANIFEST_VERSION}"
        )
    return content


# --------------------------------------------------------------------------------------------- duckdb


def load_into_duckdb(
    directory: str | Path,
    duckdb_path: str | Path,
    schema: str = "raw",
    *,
    append: bool = False,
) -> dict[str, int]:
    """Create (or append to) the raw tables, all VARCHAR, in a DuckDB file from a generated directory.

    Reads ``<table>.parquet`` or ``<table>.csv`` for every raw table, the truth table and, when present, the
    persons table. ``append=True`` inserts into existing tables (for follow-up batches). Returns row counts
    of the tables after loading.
    """
    import duckdb

    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"directory: {directory} is not a directory")
    if not _IDENTIFIER.match(schema):
        raise ValueError(f"schema: {schema!r} is not a plain SQL identifier")
    counts: dict[str, int] = {}
    with duckdb.connect(str(duckdb_path)) as connection:
        # Fully qualified names: a database file named like the schema (raw.duckdb) would be ambiguous.
        catalog = connection.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
        connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{catalog}"."{schema}"')
        existing = {
            row[0]
            for row in connection.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_catalog = ? AND table_schema = ?",
                [catalog, schema],
            ).fetchall()
        }
        for name in (*TABLE_COLUMNS, TRUTH_TABLE, PERSONS_TABLE):
            source = _duckdb_source(directory, name)
            if source is None:
                continue
            columns = output_columns(name)
            select = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in columns)
            target = f'"{catalog}"."{schema}"."{name}"'
            if append and name in existing:
                connection.execute(f"INSERT INTO {target} SELECT {select} FROM {source}")
            else:
                connection.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT {select} FROM {source}")
            counts[name] = connection.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
            logger.info("loaded %s: %d rows", target, counts[name])
    return counts


def _duckdb_source(directory: Path, name: str) -> str | None:
    parquet, csv = directory / f"{name}.parquet", directory / f"{name}.csv"
    if parquet.is_file():
        return f"read_parquet('{_sql_path(parquet)}')"
    if csv.is_file():
        columns = ", ".join(f"'{c}': 'VARCHAR'" for c in output_columns(name))
        return (
            f"read_csv('{_sql_path(csv)}', header = true, delim = ',', quote = '\"', escape = '\"', "
            f"columns = {{{columns}}})"
        )
    return None


def _sql_path(path: Path) -> str:
    return str(path.resolve()).replace("'", "''")
