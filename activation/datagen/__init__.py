"""Synthetic raw data for the CDP, with the ground truth of who is who.

Generates every raw table of ``models/staging/*/_*__sources.yml`` (CRM, shop, web, stores, loyalty,
support, consent, privacy, ads) for N people, with realistic noise (typos, formats, placeholders, shared
households, namesakes, moves and new e-mails) and ``truth_record_persons`` mapping each person-linked record
to its true person. Deterministic: the same settings give byte-identical files.

    from activation.datagen import generate, write_dataset, make_config
    tables = generate(people=2000, seed=42)               # dict of pyarrow Tables
    write_dataset("out", make_config(1_000_000, 7), fmt="parquet")
    write_follow_up("out", "out_batch1")                  # new rows only, to append
    load_into_duckdb("out", "cdp.duckdb", schema="raw")
"""

from .cli import main
from .config import FollowUpRates, GeneratorConfig, NoiseRates, PresenceRates, VolumeRates
from .dataset import (
    WriteReport,
    generate,
    iter_chunks,
    make_config,
    write_dataset,
    write_follow_up,
    write_sample,
)
from .schema import PRIMARY_KEYS, TABLE_COLUMNS, TRUTH_COLUMNS, TRUTH_SOURCES, TRUTH_TABLE, render_seeds_yaml
from .writers import load_into_duckdb

__all__ = [
    "PRIMARY_KEYS",
    "TABLE_COLUMNS",
    "TRUTH_COLUMNS",
    "TRUTH_SOURCES",
    "TRUTH_TABLE",
    "FollowUpRates",
    "GeneratorConfig",
    "NoiseRates",
    "PresenceRates",
    "VolumeRates",
    "WriteReport",
    "generate",
    "iter_chunks",
    "load_into_duckdb",
    "main",
    "make_config",
    "render_seeds_yaml",
    "write_dataset",
    "write_follow_up",
    "write_sample",
]
