"""The SQL of a sync: members with their eligibility, the diff against the state, and state bookkeeping.

Everything heavy runs in the warehouse. The diff is one query: the segment's members (hashed, with the
reason a member may not be sent) full-outer-joined to what the destination is known to hold. It returns only
rows that need something, each with its operation for the sync's mode, and builds the JSON payload only for
the rows that will be sent. When the segment lives on another engine than the state (Spark), members and
consent are first copied into staging tables of the state's schema, and the same diff runs on them.

Eligibility (consent and RGPD at send time): a member is sent only when it is not in the holdout, not erased,
has at least one of the identifiers the sync maps, and has consent on the destination's channel, read from
the consent model (var cdp_activation_consent_model, default dim_customers: `customer_id`,
`has_<channel>_consent`, `is_erased`). A held record that becomes ineligible is removed in mirror mode and
reported (record_outcomes, status 'suppressed') in the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from activation.syncs.config import SyncConfig
from activation.syncs.warehouse import Dialect

# Why a member is not sent. 'left_segment' only applies to held records. 'no_identifier': every identifier the
# sync maps is null, so the destination could not tell who the record is (an e-mail audience member whose only
# e-mail was a placeholder, say).
HOLDOUT, ERASED, NO_CONSENT, LEFT_SEGMENT = "holdout", "erased", "no_consent", "left_segment"
NO_IDENTIFIER = "no_identifier"
SUPPRESSION_REASONS = (HOLDOUT, ERASED, NO_CONSENT, NO_IDENTIFIER)

# Operations the diff can return: sent ones, and the ones the engine only counts or reports.
SENT_OPERATIONS = ("add", "update", "remove")
REPORT, KEEP, SKIP_MODE, SKIP_REJECTED = "report", "keep", "skip_mode", "skip_rejected"


@dataclass(frozen=True)
class StateTables:
    """Qualified names of the state tables in the state schema."""

    schema: str

    @property
    def runs(self) -> str:
        return f"{self.schema}.sync_runs"

    @property
    def records(self) -> str:
        return f"{self.schema}.destination_records"

    @property
    def outcomes(self) -> str:
        return f"{self.schema}.record_outcomes"

    @property
    def batches(self) -> str:
        return f"{self.schema}.batches"

    @property
    def batch_records(self) -> str:
        return f"{self.schema}.batch_records"

    # Scratch table (per connection) the journal's batch blobs are decoded into for recovery and compaction.
    journal_records = "activation_journal_records"

    def staging(self, sync_name: str, what: str) -> str:
        return f"{self.schema}.staged_{what}__{sync_name}"


def state_ddl(tables: StateTables, quoted_schema: str, binary_type: str) -> list[str]:
    """Idempotent DDL of the state schema (portable between DuckDB and PostgreSQL but for the blob type).

    `batch_records.records` holds each journalled batch's records (key, change, payload hash, identifiers) as
    one compressed Arrow IPC stream: one row per batch is far cheaper to commit than thousands. It is a
    table of
    its own so that acknowledging a batch updates a small row.
    """
    return [
        f"create schema if not exists {quoted_schema}",
        f"""create table if not exists {tables.runs} (
            run_id varchar not null,
            sync_name varchar not null,
            model varchar,
            destination_type varchar,
            mode varchar,
            source_target varchar,
            started_at timestamp not null,
            finished_at timestamp,
            status varchar not null,
            rows_added bigint,
            rows_changed bigint,
            rows_removed bigint,
            rows_unchanged bigint,
            rows_rejected bigint,
            rows_failed bigint,
            rows_suppressed bigint,
            rows_skipped bigint,
            rows_resent bigint,
            batches_sent bigint,
            requests_sent bigint,
            retries bigint,
            error_message varchar
        )""",
        f"""create table if not exists {tables.records} (
            sync_name varchar not null,
            record_key varchar not null,
            payload_hash varchar not null,
            identity varchar,
            synced_at timestamp not null,
            run_id varchar not null
        )""",
        f"""create table if not exists {tables.outcomes} (
            sync_name varchar not null,
            record_key varchar not null,
            status varchar not null,
            code varchar,
            message varchar,
            is_retryable boolean,
            attempts integer not null,
            payload_hash varchar,
            run_id varchar,
            batch_id varchar,
            last_attempt_at timestamp not null
        )""",
        f"""create table if not exists {tables.batches} (
            sync_name varchar not null,
            run_id varchar not null,
            batch_id varchar not null,
            operation varchar not null,
            sequence integer not null,
            is_last boolean not null,
            record_count integer not null,
            idempotency_key varchar not null,
            status varchar not null,
            attempts integer not null,
            created_at timestamp not null,
            finished_at timestamp
        )""",
        f"""create table if not exists {tables.batch_records} (
            sync_name varchar not null,
            batch_id varchar not null,
            records {binary_type} not null
        )""",
    ]


@dataclass(frozen=True)
class MemberColumns:
    """The mapped columns of a segment, with their kinds: payload name -> (column, kind)."""

    columns: dict[str, tuple[str, str]]
    identifier_names: tuple[str, ...]

    def alias(self, index: int) -> str:
        return f"mapped_{index}"


def members_select(sync: SyncConfig, dialect: Dialect, mapped: MemberColumns, *, as_json: bool) -> str:
    """One row per segment member: key, payload hash, exclusion reason, and either the mapped columns (diff in
    the same engine) or the payload and identity JSON (staging for another engine).

    For the diff in the same engine the consent model is not joined here: the diff joins it once, for members
    and held records alike (`member_reason`), so the reason here is 'holdout', 'no_identifier' or null. Staged
    members carry their whole reason, consent included, computed where the segment lives.
    """
    quote = dialect.quote
    key = dialect.cast_string(f"segment.{quote(sync.key_column)}")
    values = [f"segment.{quote(column)}" for column, _kind in mapped.columns.values()]
    payload_hash = dialect.row_hash([dialect.literal(sync.fingerprint), *values])
    reasons = []
    if sync.holdout_column:
        reasons.append(f"when coalesce(segment.{quote(sync.holdout_column)}, false) then '{HOLDOUT}'")
    has_consent_join = as_json and _has_consent(sync)
    if has_consent_join:
        reasons += _consent_reasons(
            sync, f"consent.{quote(sync.erased_column or '')}", f"consent.{quote(sync.consent_column or '')}"
        )
    identifier_columns = [f"segment.{quote(column)}" for column in sync.identifiers.values()]
    if identifier_columns:
        all_null = " and ".join(f"{column} is null" for column in identifier_columns)
        reasons.append(f"when {all_null} then '{NO_IDENTIFIER}'")
    reason = f"case {' '.join(reasons)} end" if reasons else f"cast(null as {dialect.string_type})"
    lines = [
        f"{key} as record_key",
        f"{payload_hash} as payload_hash",
        f"{reason} as exclusion_reason",
    ]
    if as_json:
        lines.append(f"{payload_json(dialect, mapped, 'segment', use_aliases=False)} as payload")
        lines.append(f"{identity_json(dialect, mapped, 'segment', use_aliases=False)} as identity")
    else:
        lines += [f"{value} as {mapped.alias(index)}" for index, value in enumerate(values)]
    join = ""
    if has_consent_join:
        consent_key = dialect.cast_string(f"consent.{quote(sync.consent_key_column)}")
        join = f"\nleft join {sync.consent_relation} as consent\n    on {key} = {consent_key}"
    return "select\n    " + ",\n    ".join(lines) + f"\nfrom {sync.relation} as segment{join}"


def _has_consent(sync: SyncConfig) -> bool:
    return sync.consent_relation is not None and bool(sync.erased_column or sync.consent_column)


def _consent_reasons(sync: SyncConfig, erased: str, has_consent: str) -> list[str]:
    """Case branches excluding a member for its consent, given its erased and consent flag expressions (null
    for a customer the consent model lacks: not erased, and no consent)."""
    branches = []
    if sync.erased_column:
        branches.append(f"when coalesce({erased}, false) then '{ERASED}'")
    if sync.consent_column:
        branches.append(f"when not coalesce({has_consent}, false) then '{NO_CONSENT}'")
    return branches


def member_reason(sync: SyncConfig, *, staged: bool, has_consent: bool) -> str:
    """Why a member of the diff's `members` joined to `consent` (consent_select) is not sent, or null: the
    holdout first, then erasure and consent, then a missing identifier, as members_select orders them."""
    if staged or not has_consent:
        return "members.exclusion_reason"
    branches = " ".join(_consent_reasons(sync, "consent.is_erased", "consent.has_consent"))
    return (
        f"case when members.exclusion_reason = '{HOLDOUT}' then '{HOLDOUT}' {branches} "
        "else members.exclusion_reason end"
    )


def consent_select(sync: SyncConfig, dialect: Dialect) -> str | None:
    """Consent flags of every customer (members, and held records that are no longer members); None without
    consent."""
    if not _has_consent(sync):
        return None
    quote = dialect.quote
    erased = f"coalesce(consent.{quote(sync.erased_column)}, false)" if sync.erased_column else "false"
    has = f"coalesce(consent.{quote(sync.consent_column)}, false)" if sync.consent_column else "true"
    return (
        f"select\n    {dialect.cast_string('consent.' + quote(sync.consent_key_column))} as customer_key,\n"
        f"    {erased} as is_erased,\n    {has} as has_consent\nfrom {sync.consent_relation} as consent"
    )


def payload_json(dialect: Dialect, mapped: MemberColumns, table: str, *, use_aliases: bool = True) -> str:
    pairs = []
    for index, (name, (column, kind)) in enumerate(mapped.columns.items()):
        reference = f"{table}.{mapped.alias(index)}" if use_aliases else f"{table}.{dialect.quote(column)}"
        pairs.append((name, reference, kind))
    return dialect.json_object(pairs)


def identity_json(dialect: Dialect, mapped: MemberColumns, table: str, *, use_aliases: bool = True) -> str:
    """The identifiers as JSON, kept in the state for removals; null when the destination needs none."""
    if not mapped.identifier_names:
        return f"cast(null as {dialect.string_type})"
    pairs = []
    for index, (name, (column, kind)) in enumerate(mapped.columns.items()):
        if name not in mapped.identifier_names:
            continue
        reference = f"{table}.{mapped.alias(index)}" if use_aliases else f"{table}.{dialect.quote(column)}"
        pairs.append((name, reference, kind))
    return dialect.json_object(pairs)


def _operation_cases(mode: str) -> tuple[str, str, str]:
    """SQL case branches (added, changed, removed) giving the operation for the sync's mode."""
    added = "'update'" if mode == "update_only" else "'add'"
    changed = f"'{SKIP_MODE}'" if mode == "add_only" else "'update'"
    if mode == "mirror":
        removed = "'remove'"
    else:
        listed = ", ".join(f"'{reason}'" for reason in SUPPRESSION_REASONS)
        removed = f"case when changes.reason in ({listed}) then '{REPORT}' else '{KEEP}' end"
    return added, changed, removed


def diff_query(
    sync: SyncConfig,
    tables: StateTables,
    dialect: Dialect,
    mapped: MemberColumns,
    members_sql: str,
    consent_sql: str | None,
    *,
    staged: bool,
    include_payload: bool = True,
    partition: tuple[int, int] | None = None,
) -> str:
    """Rows that need something, with change (added/changed/removed), operation, reason and, for rows to
    send, payload and identity JSON; `previous_identity` is what the destination held before an update.

    Members (wide: every mapped column) are read once and only ever stream through joins: one full outer join
    to the held records finds the added, changed, newly excluded and departed records at once, then one join
    to the consent flags gives members and departed records their reasons. No hash table or common subplan
    holds a member's mapped columns: every join's right side, the one hashed when joins are kept as written
    (`stream(..., joins_as_written=True)`), is narrow: held records, consent flags, settled rejections. JSON
    is built for the members that may be sent only.

    `partition` (index, count): only the records whose key falls in that part (Dialect.partition_of), so
    that the hash tables hold a part of the held records and consent rows; the parts together give the diff.
    """
    sync_literal = dialect.literal(sync.name)
    if partition is not None:
        index, count = partition

        def in_partition(column: str) -> str:
            return f"{dialect.partition_of(column, count)} = {int(index)}"

        members_sql = f"select * from (\n{members_sql}\n) as all_members where {in_partition('record_key')}"
        if consent_sql is not None:
            consent_sql = (
                f"select * from (\n{consent_sql}\n) as all_consent where {in_partition('customer_key')}"
            )
        held_partition = rejections_partition = f" and {in_partition('record_key')}"
    else:
        held_partition = rejections_partition = ""
    string = dialect.string_type
    # A member row has a payload hash (never null); a held record no member matched has none.
    is_member = "members.payload_hash is not null"
    if consent_sql is not None:
        consent_cte = f",\n\nconsent as (\n{consent_sql}\n)"
        consent_join = (
            "\n    left join consent\n        on coalesce(members.record_key, held.record_key) = "
            "consent.customer_key"
        )
        # As before the consent model existed for them: a departed customer it lacks just left the segment.
        departure_reason = (
            f"case when consent.is_erased then '{ERASED}' when not consent.has_consent then '{NO_CONSENT}' "
            f"else '{LEFT_SEGMENT}' end"
        )
    else:
        consent_cte = consent_join = ""
        departure_reason = f"'{LEFT_SEGMENT}'"
    reason = member_reason(sync, staged=staged, has_consent=consent_sql is not None)
    if staged:
        carried = ["members.payload as member_payload", "members.identity as member_identity"]
        payload, identity = "compared.member_payload", "compared.member_identity"
    else:
        carried = [f"members.{mapped.alias(index)}" for index in range(len(mapped.columns))]
        payload = payload_json(dialect, mapped, "compared")
        identity = identity_json(dialect, mapped, "compared")
    if not include_payload:
        carried, payload, identity = [], f"cast(null as {string})", f"cast(null as {string})"
    carried_columns = "".join(f",\n        {column}" for column in carried)
    added, changed, removed = _operation_cases(sync.mode)
    # Held records are the hash table of the diff's main join: only what the comparison needs, as narrow as
    # it compares. Staged members were hashed by another engine, so their hashes are compared as text.
    held_hash = "payload_hash" if staged else dialect.comparable_hash("payload_hash")
    member_hash = "compared.payload_hash" if staged else dialect.comparable_hash("compared.payload_hash")
    # A destination that keeps no identity holds none, and removes by key.
    held_identity = "identity" if mapped.identifier_names else f"cast(null as {string}) as identity"
    return f"""with

held as (
    select record_key, {held_hash} as payload_hash, {held_identity}
    from {tables.records}
    where sync_name = {sync_literal}{held_partition}
),

settled_rejections as (
    select record_key, payload_hash
    from {tables.outcomes}
    where sync_name = {sync_literal} and status = 'rejected' and not is_retryable{rejections_partition}
){consent_cte},

members as (
{members_sql}
),

-- every member and every held record, once, with the reason it is not to be sent (or null)
compared as (
    select
        coalesce(members.record_key, held.record_key) as record_key,
        {is_member} as is_member,
        held.record_key is not null as is_held,
        case when {is_member} then {reason} else {departure_reason} end as reason,
        members.payload_hash,
        held.payload_hash as held_payload_hash,
        held.identity as held_identity{carried_columns}
    from members
    full outer join held
        on members.record_key = held.record_key{consent_join}
),

-- members new, changed, or held but no longer eligible, and held records that are not members any more
changes as (
    select
        compared.record_key,
        case
            when not compared.is_held then 'added'
            when not compared.is_member or compared.reason is not null then 'removed'
            else 'changed'
        end as change,
        compared.reason,
        compared.payload_hash,
        compared.held_identity,
        case when compared.reason is null then {payload} end as payload,
        case when compared.reason is null then {identity} end as identity
    from compared
    where
        not compared.is_member
        or (compared.reason is null and (not compared.is_held or compared.held_payload_hash is distinct from
        {member_hash}))
        or (compared.is_held and compared.reason is not null)
),

planned as (
    select
        changes.*,
        case
            when changes.change <> 'removed' and settled_rejections.record_key is not null then
            '{SKIP_REJECTED}'
            when changes.change = 'added' then {added}
            when changes.change = 'changed' then {changed}
            else {removed}
        end as operation
    from changes
    left join settled_rejections
        on changes.record_key = settled_rejections.record_key
        and changes.payload_hash = settled_rejections.payload_hash
)

select
    record_key,
    change,
    operation,
    reason,
    payload_hash,
    case when operation in ('add', 'update') then payload end as payload,
    case when operation in ('add', 'update') then identity when operation = 'remove' then held_identity end
        as identity,
    case when change = 'changed' then held_identity end as previous_identity
from planned"""


def recovery_query(
    sync: SyncConfig,
    tables: StateTables,
    dialect: Dialect,
    mapped: MemberColumns,
    members_sql: str,
    consent_sql: str | None,
    batch_ids: Sequence[str],
    *,
    staged: bool,
) -> str:
    """The records of interrupted batches with their current payload, to resend them as they were.

    Members stream through a right join whose hashed (right) side is the journalled records: a few batches.
    """
    listed = ", ".join(dialect.literal(batch_id) for batch_id in batch_ids)
    carried = (
        "members.payload, members.identity"
        if staged
        else ", ".join(f"members.{mapped.alias(index)}" for index in range(len(mapped.columns)))
    )
    payload = "current.payload" if staged else payload_json(dialect, mapped, "current")
    # Staged members carry their consent already.
    if consent_sql is not None and not staged:
        consent_cte = f",\n\nconsent as (\n{consent_sql}\n)"
        consent_join = "\n    left join consent\n        on batch_records.record_key = consent.customer_key"
    else:
        consent_cte = consent_join = ""
    reason = member_reason(sync, staged=staged, has_consent=bool(consent_join))
    return f"""with

members as (
{members_sql}
){consent_cte},

current as (
    select
        batch_records.batch_id,
        batch_records.record_key,
        batch_records.operation,
        batch_records.payload_hash as planned_hash,
        batch_records.identity as planned_identity,
        batch_records.previous_identity,
        members.payload_hash as current_hash,
        {reason} as exclusion_reason,
        {carried}
    from members
    right join {tables.journal_records} as batch_records
        on members.record_key = batch_records.record_key{consent_join}
    where batch_records.batch_id in ({listed})
)

select
    current.batch_id,
    current.record_key,
    current.operation,
    current.planned_hash,
    current.planned_identity,
    current.previous_identity,
    current.current_hash = current.planned_hash and current.exclusion_reason is null as is_unchanged,
    case when current.operation <> 'remove' then {payload} end as payload
from current"""


def duplicate_keys_query(sync: SyncConfig, dialect: Dialect) -> str:
    """Keys present more than once in the segment (reads the key column only)."""
    key = dialect.cast_string(f"segment.{dialect.quote(sync.key_column)}")
    return f"""select {key} as record_key, count(*) as copies
from {sync.relation} as segment
group by {key}
having count(*) > 1
limit 5"""


def journal_records_ddl(tables: StateTables) -> str:
    return f"""create temporary table if not exists {tables.journal_records} (
        batch_id varchar not null,
        record_key varchar not null,
        change varchar,
        operation varchar not null,
        payload_hash varchar,
        identity varchar,
        previous_identity varchar,
        run_id varchar,
        finished_at timestamp
    )"""


def compaction_statements(
    tables: StateTables,
    dialect: Dialect,
    sync_name: str,
    *,
    has_rejections: bool = False,
    has_records: bool = False,
    has_outcomes: bool = False,
    only_cleanup: bool = False,
) -> list[str]:
    """Apply the acknowledged batches decoded into journal_records to destination_records, clear the outcomes
    they settle, drop finished batches. Statements that would find nothing (no rejections, no held records,
    no outcomes: a first sync) are left out.

    Run in one transaction: a crash in the middle leaves the journal as it was, and the next run applies it.
    """
    sync = dialect.literal(sync_name)
    journal = tables.journal_records
    finished = (
        f"select batch_id from {tables.batches} where sync_name = {sync} and status in ('acked', 'failed')"
    )
    cleanup = [
        f"delete from {tables.batch_records} where sync_name = {sync} and batch_id in ({finished})",
        f"delete from {tables.batches} where sync_name = {sync} and status in ('acked', 'failed')",
    ]
    if only_cleanup:
        return cleanup
    statements = []
    if has_rejections:
        statements.append(
            f"""delete from {journal} where exists (
                select 1 from {tables.outcomes} as outcomes
                where outcomes.sync_name = {sync} and outcomes.status = 'rejected'
                    and outcomes.batch_id = {journal}.batch_id and outcomes.record_key = {journal}.record_key
            )"""
        )
    if has_records:
        statements.append(
            f"delete from {tables.records} where sync_name = {sync} "
            f"and record_key in (select record_key from {journal})"
        )
    statements.append(
        f"""insert into {tables.records} (sync_name, record_key, payload_hash, identity, synced_at, run_id)
        select {sync}, record_key, payload_hash, identity, finished_at, run_id
        from {journal}
        where operation <> 'remove'"""
    )
    if has_outcomes:
        statements.append(
            f"""delete from {tables.outcomes} where sync_name = {sync} and exists (
                select 1 from {journal}
                where {journal}.record_key = {tables.outcomes}.record_key
                    and ({tables.outcomes}.batch_id is null or {tables.outcomes}.batch_id <>
                    {journal}.batch_id)
            )"""
        )
    return [*statements, *cleanup, f"delete from {journal}"]
