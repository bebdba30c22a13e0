"""`activation segments list` and `activation segments preview NAME`: segments as the warehouse sees them.

A preview compiles one definition into a single self-contained query (the segment, the segments it depends on
and the suppression rules computed inline from the Customer 360 and the resolved global suppression list as
last built) and runs it directly on the warehouse: no `dbt build`, so a definition can be tried before it is
committed. It reports the size (treatment and holdout),
what suppression removed and why, the change since the last build, the overlap with the built segments, and
sample rows with personal data masked unless asked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from activation.errors import ConfigurationError, WarehouseBuildError
from activation.segments.definitions import SegmentProject, load_project
from activation.segments.model import Segment, Settings
from activation.segments.sql import INDENT, MEMBERS_MODEL, preview_query
from activation.segments.warehouse import QueryResult, Warehouse

logger = logging.getLogger(__name__)

QueryRunner = Callable[[str, int], QueryResult]
MASK = "***"


def mask_value(value: object) -> object:
    """A personal value as the preview shows it by default: its first character, the rest hidden."""
    if value is None:
        return None
    text = str(value)
    return f"{text[:1]}{MASK}" if len(text) > 2 else MASK


@dataclass
class SegmentPreview:
    segment: Segment
    as_of_date: object
    member_count: int
    holdout_count: int
    matched_count: int
    suppressed: dict[str, int]
    suppressed_count: int
    last_build_count: int | None
    overlaps: list[tuple[str, int, int]]  # (other segment, its size, overlap)
    sample: QueryResult
    masked_columns: list[str] = field(default_factory=list)

    def render(self) -> str:
        segment = self.segment
        holdout = (
            f"{segment.holdout_percent.normalize():f} % holdout" if segment.holdout_percent else "no holdout"
        )
        lines = [
            f"Segment {segment.name} ({segment.source_file})",
            f"  {segment.description}",
            f"  owner {segment.owner}; channel {segment.channel}; {holdout}"
            + ("; existing customers excluded" if segment.exclude_existing_customers else ""),
            f"  computed as of {self.as_of_date} (the Customer 360's as-of date)",
            "",
            f"Size: {self.member_count:,} members ({self.member_count - self.holdout_count:,} sent, "
            f"{self.holdout_count:,} holdout)",
            f"  matched the conditions: {self.matched_count:,}; suppressed: {self.suppressed_count:,}"
            + (
                " (" + ", ".join(f"{reason} {count:,}" for reason, count in self.suppressed.items()) + ")"
                if self.suppressed_count
                else ""
            ),
        ]
        if self.last_build_count is None:
            lines.append("  last build: none (segment_members is not built, or the segment is new)")
        else:
            change = self.member_count - self.last_build_count
            lines.append(
                f"  since the last build: {self.last_build_count:,} -> {self.member_count:,} ({change:+,})"
            )
        lines.append("")
        if self.overlaps:
            lines.append("Overlap with the built segments:")
            width = max(len(name) for name, _, _ in self.overlaps)
            lines.append(
                f"  {'segment':<{width}}  {'size':>7}  {'overlap':>7}  {'% of this':>9}  {'% of that':>9}"
            )
            for name, size, overlap in self.overlaps:
                share_here = f"{100 * overlap / self.member_count:.1f} %" if self.member_count else "-"
                share_there = f"{100 * overlap / size:.1f} %" if size else "-"
                lines.append(
                    f"  {name:<{width}}  {size:>7,}  {overlap:>7,}  {share_here:>9}  {share_there:>9}"
                )
        else:
            lines.append("Overlap with the built segments: none built yet")
        lines.append("")
        shown = len(self.sample.rows)
        note = (
            f"personal data masked ({', '.join(self.masked_columns)}); --show-pii to show it"
            if self.masked_columns
            else "nothing masked"
        )
        lines.append(f"Sample ({shown} of {self.member_count:,}; {note}):")
        lines.extend(_table(self.sample))
        return "\n".join(lines)


def _table(result: QueryResult) -> list[str]:
    if not result.rows:
        return ["  (no members)"]
    cells = [[("" if value is None else str(value)) for value in row] for row in result.rows]
    widths = [
        max(len(column), *(len(row[index]) for row in cells)) for index, column in enumerate(result.columns)
    ]
    header = "  " + "  ".join(
        column.ljust(width) for column, width in zip(result.columns, widths, strict=True)
    )
    body = [
        "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in cells
    ]
    return [header, *body]


def _default_runner(project_dir: Path, target: str) -> QueryRunner:
    return Warehouse(project_dir, target).query


def _segment(project: SegmentProject, name: str) -> Segment:
    try:
        return project.segment(name)
    except KeyError:
        known = ", ".join(segment.name for segment in project.segments) or "none"
        raise ConfigurationError(f"Unknown segment {name!r}: defined segments are {known}") from None


def preview_segment(
    project_dir: Path,
    name: str,
    target: str,
    sample_size: int = 10,
    show_pii: bool = False,
    runner: QueryRunner | None = None,
) -> SegmentPreview:
    """Compute segment `name` on the warehouse from its definition as it is on disk now."""
    project = load_project(project_dir)
    segment = _segment(project, name)
    segments = {item.name: item for item in project.segments}
    return preview_definition(
        project.settings,
        segments,
        segment,
        runner or _default_runner(project_dir, target),
        sample_size=sample_size,
        show_pii=show_pii,
    )


def preview_definition(
    settings: Settings,
    segments: dict[str, Segment],
    segment: Segment,
    run: QueryRunner,
    sample_size: int = 10,
    show_pii: bool = False,
    include_overlaps: bool = True,
) -> SegmentPreview:
    """Compute a checked definition (saved or not: the web app previews drafts) beside the other segments.

    `segments` holds every segment by name, `segment` included (a draft replaces its saved version there).
    Without `include_overlaps` the comparison with the built segments (a third query) is left out.
    """
    segments = {**segments, segment.name: segment}
    name = segment.name

    builder, final, suppressions = preview_query(settings, segments, name)
    reasons = [
        ("erased", f"{suppressions}.is_erased"),
        (f"no {segment.channel} consent", f"not {suppressions}.has_{segment.channel}_consent"),
        ("internal or test account", f"{suppressions}.is_internal_account"),
        ("global suppression list", f"{suppressions}.is_globally_suppressed"),
    ]
    if segment.exclude_existing_customers:
        reasons.append(("existing customer", f"{suppressions}.is_existing_customer"))
    counted = [
        f"sum(case when {condition} then 1 else 0 end) as suppressed_{index}"
        for index, (_, condition) in enumerate(reasons)
    ]
    any_reason = " or ".join(f"({condition})" for _, condition in reasons)
    builder.add(
        "preview_matched_counts",
        [
            "select",
            f"{INDENT}count(*) as matched_count,",
            *[f"{INDENT}{column}," for column in counted],
            f"{INDENT}sum(case when {any_reason} then 1 else 0 end) as suppressed_count",
            "from matched",
            f"inner join {suppressions}",
            f"{INDENT}on matched.customer_id = {suppressions}.customer_id",
        ],
    )
    builder.add(
        "preview_member_counts",
        [
            "select",
            f"{INDENT}count(*) as member_count,",
            f"{INDENT}sum(case when {final}.is_holdout then 1 else 0 end) as holdout_count",
            f"from {final}",
        ],
    )
    summary_sql = builder.render(
        [
            "select *",
            "from preview_matched_counts",
            "cross join preview_member_counts",
            "cross join reference_date",
        ]
    )
    summary = run(summary_sql, -1).dicts()[0]
    suppressed = {label: int(summary[f"suppressed_{index}"] or 0) for index, (label, _) in enumerate(reasons)}

    sample_builder, sample_final, _ = preview_query(settings, segments, name)
    sample_sql = sample_builder.render(
        [f"select * from {sample_final}", "order by customer_id", f"limit {int(sample_size)}"]
    )
    sample = run(sample_sql, -1)
    pii = {output.alias for output in segment.outputs if output.column.is_pii}
    masked = [column for column in sample.columns if column in pii] if not show_pii else []
    if masked:
        positions = [sample.columns.index(column) for column in masked]
        sample = QueryResult(
            columns=sample.columns,
            rows=[
                tuple(mask_value(value) if index in positions else value for index, value in enumerate(row))
                for row in sample.rows
            ],
        )

    last_build_count: int | None = None
    overlaps: list[tuple[str, int, int]] = []
    if include_overlaps:
        last_build_count, overlaps = _overlaps(settings, segments, name, run)

    return SegmentPreview(
        segment=segment,
        as_of_date=summary["as_of_date"],
        member_count=int(summary["member_count"] or 0),
        holdout_count=int(summary["holdout_count"] or 0),
        matched_count=int(summary["matched_count"] or 0),
        suppressed=suppressed,
        suppressed_count=int(summary["suppressed_count"] or 0),
        last_build_count=last_build_count,
        overlaps=overlaps,
        sample=sample,
        masked_columns=masked,
    )


def _overlaps(
    settings: Settings, segments: dict[str, Segment], name: str, run: QueryRunner
) -> tuple[int | None, list[tuple[str, int, int]]]:
    """The segment's size in the last build, and its overlap with every other built segment."""
    overlap_builder, overlap_final, _ = preview_query(settings, segments, name)
    overlap_builder.import_model("built_members", MEMBERS_MODEL)
    overlap_sql = overlap_builder.render(
        [
            "select",
            f"{INDENT}built_members.segment_name,",
            f"{INDENT}count(*) as built_member_count,",
            f"{INDENT}count({overlap_final}.customer_id) as overlap_count",
            "from built_members",
            f"left join {overlap_final}",
            f"{INDENT}on built_members.customer_id = {overlap_final}.customer_id",
            "group by built_members.segment_name",
        ]
    )
    last_build_count: int | None = None
    overlaps: list[tuple[str, int, int]] = []
    try:
        for row in run(overlap_sql, -1).dicts():
            size, overlap = int(row["built_member_count"]), int(row["overlap_count"] or 0)
            if row["segment_name"] == name:
                last_build_count = size
            else:
                overlaps.append((str(row["segment_name"]), size, overlap))
    except WarehouseBuildError as error:
        logger.info("No built segments to compare with: %s", error)
    overlaps.sort(key=lambda item: (-item[2], item[0]))

    return last_build_count, overlaps


@dataclass(frozen=True)
class SegmentListing:
    segment: Segment
    member_count: int | None
    holdout_count: int | None


def list_segments(project_dir: Path, target: str, runner: QueryRunner | None = None) -> list[SegmentListing]:
    """Every defined segment with its size in the last build (None when not built)."""
    project = load_project(project_dir)
    run = runner or _default_runner(project_dir, target)
    sizes: dict[str, tuple[int, int]] = {}
    try:
        result = run(
            "select segment_name, count(*) as member_count, "
            "sum(case when is_holdout then 1 else 0 end) as holdout_count "
            f"from {{{{ ref('{MEMBERS_MODEL}') }}}} group by segment_name",
            -1,
        )
        sizes = {
            str(row["segment_name"]): (int(row["member_count"]), int(row["holdout_count"] or 0))
            for row in result.dicts()
        }
    except WarehouseBuildError as error:
        logger.info("Segments not built yet: %s", error)
    listings = []
    for segment in sorted(project.segments, key=lambda item: item.name):
        member_count, holdout_count = sizes.get(segment.name, (None, None))
        if sizes and member_count is None:
            member_count, holdout_count = 0, 0
        listings.append(SegmentListing(segment, member_count, holdout_count))
    return listings


def render_listing(listings: list[SegmentListing]) -> str:
    if not listings:
        return "No segments defined (add YAML files under segments/)."
    width = max(len("segment"), *(len(item.segment.name) for item in listings))
    lines = [f"{'segment':<{width}}  {'channel':<19}  {'members':>8}  {'holdout':>8}  owner"]
    for item in listings:
        members = "-" if item.member_count is None else f"{item.member_count:,}"
        holdout = "-" if item.holdout_count is None else f"{item.holdout_count:,}"
        lines.append(
            f"{item.segment.name:<{width}}  {item.segment.channel:<19}  {members:>8}  {holdout:>8}  "
            f"{item.segment.owner}"
        )
    if all(item.member_count is None for item in listings):
        lines.append("(sizes appear after `dbt build`: segment_members is not built yet)")
    return "\n".join(lines)
