"""Public entry points: generate tables in memory, write a data set or a follow-up batch, write the sample."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from .config import GeneratorConfig
from .followup import iter_follow_up
from .generator import ChunkResult, Generator, batch_window
from .people import PopulationState
from .schema import PERSONS_TABLE, TABLE_COLUMNS, TRUTH_TABLE, render_seeds_yaml
from .writers import TableWriter, check_format, read_manifest, write_manifest

logger = logging.getLogger(__name__)

#: Where the committed demo sample lives, relative to the project root.
SAMPLE_DIRECTORY = Path("seeds") / "sample"
SEEDS_YAML_NAME = "_sample__seeds.yml"


@dataclass
class WriteReport:
    """What a write produced."""

    directory: Path
    batch: int
    fmt: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def file_bytes(self) -> dict[str, int]:
        return {name: (self.directory / f"{name}.{self.fmt}").stat().st_size for name in self.rows}

    def summary(self) -> str:
        sizes = self.file_bytes()
        width = max(len(name) for name in self.rows) if self.rows else 10
        lines = [f"batch {self.batch} -> {self.directory} ({self.fmt}) in {self.seconds:.1f} s"]
        lines += [
            f"  {name:<{width}} {count:>12,} rows {sizes[name] / 1e6:>10.2f} MB"
            for name, count in self.rows.items()
        ]
        lines.append(
            f"  {'total':<{width}} {sum(self.rows.values()):>12,} rows {sum(sizes.values()) / 1e6:>10.2f} MB"
        )
        return "\n".join(lines)


def make_config(
    people: int = 2000,
    seed: int = 42,
    start_date: dt.date | str | None = None,
    end_date: dt.date | str | None = None,
    **overrides: Any,
) -> GeneratorConfig:
    """A validated config from the common arguments (dates may be ISO strings)."""
    values: dict[str, Any] = {"people": people, "seed": seed, **overrides}
    for name, value in (("start_date", start_date), ("end_date", end_date)):
        if value is not None:
            try:
                values[name] = dt.date.fromisoformat(value) if isinstance(value, str) else value
            except ValueError as error:
                raise ValueError(f"{name}: expected an ISO date (YYYY-MM-DD), got {value!r}") from error
    config = GeneratorConfig(**values)
    config.validate()
    return config


def iter_chunks(
    config: GeneratorConfig, batch: int = 0, *, with_persons: bool = False
) -> Iterator[ChunkResult]:
    """Chunk results of one batch (0 = base data set, k >= 1 = k-th follow-up)."""
    if not isinstance(batch, int) or batch < 0:
        raise ValueError(f"batch: must be a non-negative integer, got {batch!r}")
    generator = Generator(config, with_persons=with_persons)
    if batch == 0:
        yield from generator.iter_batch(0, PopulationState())
    else:
        yield from iter_follow_up(generator, batch)


def generate(
    people: int = 2000,
    seed: int = 42,
    start_date: dt.date | str | None = None,
    end_date: dt.date | str | None = None,
    *,
    config: GeneratorConfig | None = None,
    batch: int = 0,
    with_persons: bool = False,
) -> dict[str, pa.Table]:
    """Generate a batch in memory: {raw table name: table, ..., "truth_record_persons": table}.

    With ``with_persons`` the golden records of the true persons come as "truth_persons" (base batch).
    Pass ``config`` for full control (then people/seed/dates are ignored).
    """
    config = config or make_config(people, seed, start_date, end_date)
    parts: dict[str, list[pa.Table]] = {}
    for result in iter_chunks(config, batch, with_persons=with_persons):
        for name, table in result.tables.items():
            parts.setdefault(name, []).append(table)
        parts.setdefault(TRUTH_TABLE, []).append(result.truth)
        if result.persons is not None:
            parts.setdefault(PERSONS_TABLE, []).append(result.persons)
    order = [*TABLE_COLUMNS, TRUTH_TABLE, PERSONS_TABLE]
    return {name: pa.concat_tables(parts[name]) for name in order if name in parts}


def write_dataset(
    out_dir: str | Path,
    config: GeneratorConfig,
    *,
    batch: int = 0,
    fmt: str = "parquet",
    with_persons: bool = False,
    manifest: bool = True,
) -> WriteReport:
    """Generate a batch chunk by chunk and write one file per table into ``out_dir``.

    Files of the tables written are replaced. A manifest records the settings so that
    ``write_follow_up(out_dir, ...)`` can continue the data set.
    """
    check_format(fmt)
    directory = Path(out_dir)
    started = time.perf_counter()
    writer = TableWriter(directory, fmt)
    try:
        for result in iter_chunks(config, batch, with_persons=with_persons):
            for name in TABLE_COLUMNS:
                if name in result.tables:
                    writer.write(name, result.tables[name])
            writer.write(TRUTH_TABLE, result.truth)
            if result.persons is not None:
                writer.write(PERSONS_TABLE, result.persons)
            logger.info("batch %d chunk %d written", batch, result.chunk)
    finally:
        written = writer.close()
    rows = {name: written[name] for name in (*TABLE_COLUMNS, TRUTH_TABLE, PERSONS_TABLE) if name in written}
    report = WriteReport(directory, batch, fmt, rows, time.perf_counter() - started)
    if manifest:
        start, end = batch_window(config, batch)
        write_manifest(
            directory,
            {
                "generator": "activation.datagen",
                "batch": batch,
                "format": fmt,
                "config": config.to_dict(),
                "window_start": dt.datetime.fromtimestamp(start, dt.UTC).isoformat(),
                "window_end": dt.datetime.fromtimestamp(end, dt.UTC).isoformat(),
                "rows": rows,
                "consumer_note": (
                    "Base batch: load every file as a raw table."
                    if batch == 0
                    else "Follow-up batch: append every file to the raw table of the same name (ids never "
                    "collide), including truth_record_persons; shop_products is not repeated."
                ),
            },
        )
    return report


def write_follow_up(
    previous_dir: str | Path, out_dir: str | Path, *, fmt: str | None = None, with_persons: bool = False
) -> WriteReport:
    """Write the batch following the one in ``previous_dir`` (read from its manifest) into ``out_dir``."""
    manifest = read_manifest(Path(previous_dir))
    config = GeneratorConfig.from_dict(manifest["config"])
    if Path(previous_dir).resolve() == Path(out_dir).resolve():
        raise ValueError(
            "out_dir: must differ from the previous batch's directory (a follow-up holds only new rows)"
        )
    return write_dataset(
        out_dir,
        config,
        batch=int(manifest["batch"]) + 1,
        fmt=fmt or manifest["format"],
        with_persons=with_persons,
    )


def write_sample(
    out_dir: str | Path = SAMPLE_DIRECTORY, config: GeneratorConfig | None = None
) -> WriteReport:
    """(Re)write the committed demo sample: CSV seeds + the seeds YAML that types every column as text."""
    config = config or GeneratorConfig.sample()
    report = write_dataset(out_dir, config, fmt="csv", manifest=False)
    tables = [name for name in (*TABLE_COLUMNS, TRUTH_TABLE) if name in report.rows]
    (Path(out_dir) / SEEDS_YAML_NAME).write_text(render_seeds_yaml(tables))
    return report
