"""SQL for checked segments: dbt models (ref() imports) or one self-contained preview query (inline CTEs).

The SQL is the house style (import CTEs, functional CTEs, `final`), uses ref() and dbt's cross-database
macros only, and takes every value of a definition through `literals.render_literal`. Conditions never
evaluate to null: a comparison with an unknown (null) value is false, so `not` is the exact complement.

A segment is computed in steps:
  matched        customers whose traits, predictions, behaviour, consent and memberships meet the conditions
  eligible       matched customers left after suppression (segment_suppressions): erased, no consent for the
                 segment's channel, internal/test accounts, global suppression list, existing customers when
                 the segment excludes them. Suppressed customers are not in the output at all.
  holdout        a stable share of the eligible customers, by a hash of (customer_id, segment name), kept
                 with is_holdout = true (never sent; the incrementality KPIs compare them with the rest)
  final          customer_id, is_holdout and the output columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from activation.segments.definitions import RELATIVE_DATE_OPERATORS
from activation.segments.literals import render_literal, render_string
from activation.segments.model import (
    AllOf,
    AnyOf,
    BehaviourCondition,
    Comparison,
    Condition,
    ConsentCondition,
    Duration,
    MembershipCondition,
    NotCondition,
    Segment,
    Settings,
    ValueType,
)

MAX_LINE = 120
INDENT = "    "
HOLDOUT_BUCKETS = 10_000  # holdout_percent has two decimals: one bucket is 0.01 %
SQL_OPERATORS = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

REFERENCE_DATE_MODEL = "segment_reference_date"
SUPPRESSIONS_MODEL = "segment_suppressions"
MEMBERS_MODEL = "segment_members"


def generated_header(source: str) -> str:
    return (
        f"{{#- Generated from {source} by `activation segments compile`: do not edit\n"
        "    (edit the definition, then recompile). -#}"
    )


def _indent(lines: list[str], levels: int = 1) -> list[str]:
    return [f"{INDENT * levels}{line}" if line else line for line in lines]


def _fit(lines: list[str]) -> list[str]:
    """Lines over the lint limit (a long value cannot wrap inside its literal) are marked for sqlfluff.
    Generated lines carry no comment of their own, and a literal is closed before the line ends, so the
    marker is always a comment of its own."""
    return [f"{line}  -- noqa: LT05" if len(line) > MAX_LINE else line for line in lines]


@dataclass
class QueryBuilder:
    """CTEs in order: imports first (one per relation, shared), then the functional CTEs."""

    imports: dict[str, str] = field(default_factory=dict)
    ctes: list[tuple[str, list[str], str | None]] = field(default_factory=list)

    def import_model(self, cte_name: str, model: str) -> str:
        self.imports.setdefault(cte_name, f"select * from {{{{ ref('{model}') }}}}")
        return cte_name

    def add(self, name: str, body: list[str], comment: str | None = None) -> str:
        self.ctes.append((name, body, comment))
        return name

    def render(self, final_select: list[str], header: str | None = None) -> str:
        blocks: list[str] = []
        for name, body in self.imports.items():
            blocks.append(f"{name} as (\n{INDENT}{body}\n)")
        for name, body, comment in self.ctes:
            text = f"{name} as (\n" + "\n".join(_fit(_indent(body))) + "\n)"
            if comment:
                text = f"{{# {comment} #}}\n{text}"
            blocks.append(text)
        parts = [header + "\n\n" if header else "", "with\n\n", ",\n\n".join(blocks), "\n\n"]
        parts.append("\n".join(_fit(final_select)) + "\n")
        return "".join(parts)


@dataclass
class Relations:
    """How one query reaches the relations a unit reads: dbt model imports, or CTEs of the same query."""

    settings: Settings
    builder: QueryBuilder
    inline: bool = False
    inline_finals: dict[str, str] = field(default_factory=dict)  # model name -> CTE holding it (inline)

    def customers(self) -> str:
        return self.builder.import_model("customers", self.settings.customer_model.model)

    def predictions(self) -> str:
        assert self.settings.prediction_model is not None
        return self.builder.import_model("customer_predictions", self.settings.prediction_model.model)

    def behaviour_events(self, name: str) -> str:
        return self.builder.import_model(name, self.settings.behaviours[name].model)

    def generated(self, model: str) -> str:
        """A model this package generates: a CTE of the query when inline, else an import."""
        if self.inline:
            return self.inline_finals[model]
        return self.builder.import_model(model, model)


def _date_window_column(duration: Duration, direction: int) -> str:
    word = "minus" if direction < 0 else "plus"
    return f"as_of_{word}_{duration.amount}_{duration.unit}s"


@dataclass
class ConditionSql:
    """Turns a condition tree into a boolean SQL expression, adding the behaviour CTEs it needs."""

    relations: Relations
    prefix: str
    windows: dict[str, tuple[Duration, int]] = field(default_factory=dict)
    behaviour_ctes: list[str] = field(default_factory=list)
    memberships: list[str] = field(default_factory=list)
    uses_predictions: bool = False
    uses_windows: bool = False
    window_cte: str = ""
    # Where the date windows CTE goes once the conditions are known: before the behaviour CTEs reading it.
    window_position: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.window_cte = f"{self.prefix}date_windows"
        self.window_position = len(self.relations.builder.ctes)

    def window(self, duration: Duration, direction: int) -> str:
        column = _date_window_column(duration, direction)
        self.windows[column] = (duration, direction)
        return f"{self.as_of_relation()}.{column}"

    def as_of_relation(self) -> str:
        self.uses_windows = True
        return self.window_cte

    def tree(self, condition: Condition, subject: Callable[[Comparison], str] | None = None) -> list[str]:
        if isinstance(condition, AllOf | AnyOf):
            joiner = "and" if isinstance(condition, AllOf) else "or"
            lines: list[str] = []
            for index, child in enumerate(condition.children):
                child_lines = self.tree(child, subject)
                if isinstance(child, AllOf | AnyOf) and len(child.children) > 1:
                    child_lines = ["(", *_indent(child_lines), ")"]
                if index > 0:
                    child_lines = [f"{joiner} {child_lines[0]}", *child_lines[1:]]
                lines.extend(child_lines)
            return lines
        if isinstance(condition, NotCondition):
            return ["not (", *_indent(self.tree(condition.child, subject)), ")"]
        return self.leaf(condition, subject).split("\n")

    def leaf(self, condition: Condition, subject: Callable[[Comparison], str] | None) -> str:
        if isinstance(condition, Comparison):
            if subject is not None:
                expression = subject(condition)
            elif condition.source == "prediction":
                self.uses_predictions = True
                expression = f"{self.relations.predictions()}.{condition.column.name}"
            else:
                expression = f"{self.relations.customers()}.{condition.column.name}"
            return self.comparison(expression, condition)
        if isinstance(condition, ConsentCondition):
            column = self.relations.settings.consent_columns[condition.channel]
            return f"coalesce({self.relations.customers()}.{column}, false)"
        if isinstance(condition, MembershipCondition):
            relation = self.relations.generated(f"seg_{condition.segment}")
            if relation not in self.memberships:
                self.memberships.append(relation)
            return f"{relation}.customer_id is not null"
        if isinstance(condition, BehaviourCondition):
            cte = self.behaviour(condition)
            count = f"coalesce({cte}.event_count, 0)"
            if not condition.performed:
                return f"{count} = 0"
            tests = []
            if condition.at_least is not None:
                tests.append(f"{count} >= {condition.at_least}")
            if condition.at_most is not None:
                tests.append(f"{count} <= {condition.at_most}")
            return " and ".join(tests) if len(tests) == 1 else "(" + " and ".join(tests) + ")"
        raise AssertionError(condition)  # pragma: no cover

    def comparison(self, expression: str, comparison: Comparison) -> str:
        operator, value = comparison.operator, comparison.value
        value_type = comparison.column.value_type
        assert value_type is not None
        if operator == "is null":
            return f"{expression} is null"
        if operator == "is not null":
            return f"{expression} is not null"
        if operator in RELATIVE_DATE_OPERATORS:
            assert isinstance(value, Duration)
            as_of = f"{self.as_of_relation()}.as_of_date"
            day = expression if value_type is ValueType.DATE else f"cast({expression} as date)"
            if operator == "within last":
                return _coalesced([f"{day} > {self.window(value, -1)}", f"{day} <= {as_of}"])
            if operator == "within next":
                return _coalesced([f"{day} >= {as_of}", f"{day} < {self.window(value, 1)}"])
            return _coalesced([f"{day} <= {self.window(value, -1)}"])
        literal_type = value_type
        values = list(value) if isinstance(value, tuple) else [value]
        if value_type is ValueType.TIMESTAMP and not any(isinstance(item, dt.datetime) for item in values):
            # Dates given for a timestamp: compare the day.
            expression, literal_type = f"cast({expression} as date)", ValueType.DATE
        literals = [render_literal(item, literal_type) for item in values]  # type: ignore[arg-type]
        if operator == "contains":
            test = f"position(lower({literals[0]}) in lower({expression})) > 0"
        elif operator == "starts with":
            test = f"position(lower({literals[0]}) in lower({expression})) = 1"
        elif operator == "between":
            test = f"{expression} between {literals[0]} and {literals[1]}"
        elif operator in ("in", "not in"):
            test = f"{expression} {operator} ({', '.join(literals)})"
        else:
            test = f"{expression} {SQL_OPERATORS[operator]} {literals[0]}"
        return _coalesced([test])

    def behaviour(self, condition: BehaviourCondition) -> str:
        source = condition.behaviour
        events = self.relations.behaviour_events(source.name)
        name = f"{self.prefix}behaviour_{len(self.behaviour_ctes) + 1}"
        self.behaviour_ctes.append(name)

        def property_subject(comparison: Comparison) -> str:
            return f"{events}.{comparison.column.name}"

        occurred_day = f"cast({events}.{source.occurred_at_column} as date)"
        filters = [
            f"{events}.{source.customer_column} is not null",
            f"and {occurred_day} <= {self.as_of_relation()}.as_of_date",
        ]
        if condition.within is not None:
            filters.append(f"and {occurred_day} > {self.window(condition.within, -1)}")
        for tree in (source.base_filter, condition.where):
            if tree is None:
                continue
            tree_lines = self.tree(tree, property_subject)
            if len(tree_lines) == 1:
                filters.append(f"and {tree_lines[0]}")
            else:
                filters.extend(["and (", *_indent(tree_lines), ")"])
        counted = (
            f"count(distinct {events}.{source.count_distinct_column})"
            if source.count_distinct_column
            else "count(*)"
        )
        body = [
            "select",
            f"{INDENT}{events}.{source.customer_column}"
            + ("," if source.customer_column == "customer_id" else " as customer_id,"),
            f"{INDENT}{counted} as event_count",
            f"from {events}",
            f"cross join {self.window_cte}",
            "where",
            *_indent(filters),
            f"group by {events}.{source.customer_column}",
        ]
        self.relations.builder.add(name, body, f"{condition.path}: {condition.describe()}")
        return name

    def add_date_windows(self, reference_date_relation: Callable[[], str]) -> None:
        """The as-of date and every window boundary the conditions use, one row, before the CTEs using it."""
        if not self.uses_windows:
            return
        reference_date = reference_date_relation()
        columns = [f"{reference_date}.as_of_date"]
        for column, (duration, direction) in sorted(self.windows.items()):
            amount = duration.amount * direction
            shifted = f"{{{{ dbt.dateadd('{duration.unit}', {amount}, '{reference_date}.as_of_date') }}}}"
            columns.append(f"cast({shifted} as date) as {column}")
        body = _select(columns)
        body.append(f"from {reference_date}")
        self.relations.builder.ctes.insert(self.window_position, (self.window_cte, body, None))


def _select(columns: list[str]) -> list[str]:
    """A select list in the lint's layout: one target on the select line, several on lines of their own."""
    if len(columns) == 1:
        return [f"select {columns[0]}"]
    return ["select", *[f"{INDENT}{column}," for column in columns[:-1]], f"{INDENT}{columns[-1]}"]


def _coalesced(terms: list[str]) -> str:
    """A comparison that is false, never null, when a value is unknown: one line, or a block when long."""
    line = f"coalesce({' and '.join(terms)}, false)"
    if len(line) <= 90 or len(terms) == 1:
        return line
    return "\n".join(
        [
            "coalesce(",
            f"{INDENT}{terms[0]}",
            *[f"{INDENT}and {term}" for term in terms[1:-1]],
            f"{INDENT}and {terms[-1]},",
            f"{INDENT}false",
            ")",
        ]
    )


def _customer_joins(relations: Relations, conditions: ConditionSql, customers: str) -> list[str]:
    joins = [f"cross join {conditions.window_cte}"] if conditions.uses_windows else []
    if conditions.uses_predictions:
        predictions = relations.predictions()
        joins += [
            f"left join {predictions}",
            f"{INDENT}on {customers}.customer_id = {predictions}.customer_id",
        ]
    for relation in [*conditions.behaviour_ctes, *conditions.memberships]:
        joins += [f"left join {relation}", f"{INDENT}on {customers}.customer_id = {relation}.customer_id"]
    return joins


def build_segment(relations: Relations, segment: Segment, prefix: str = "") -> str:
    """The CTEs of one segment; returns the name of its final CTE."""
    customers = relations.customers()
    suppressions = relations.generated(SUPPRESSIONS_MODEL)
    conditions = ConditionSql(relations, prefix)
    tree = conditions.tree(segment.conditions)
    matched = relations.builder.add(
        f"{prefix}matched",
        [
            f"select {customers}.customer_id",
            f"from {customers}",
            *_customer_joins(relations, conditions, customers),
            "where",
            *_indent(tree),
        ],
    )
    conditions.add_date_windows(lambda: relations.generated(REFERENCE_DATE_MODEL))
    checks = [
        f"not {suppressions}.is_erased",
        f"and {suppressions}.has_{segment.channel}_consent",
        f"and not {suppressions}.is_internal_account",
        f"and not {suppressions}.is_globally_suppressed",
    ]
    if segment.exclude_existing_customers:
        checks.append(f"and not {suppressions}.is_existing_customer")
    eligible = relations.builder.add(
        f"{prefix}eligible",
        [
            f"select {matched}.customer_id",
            f"from {matched}",
            f"inner join {suppressions}",
            f"{INDENT}on {matched}.customer_id = {suppressions}.customer_id",
            "where",
            *_indent(checks),
        ],
        f"suppression: erased, no {segment.channel} consent, internal or test account, global suppression "
        "list" + (", existing customer" if segment.exclude_existing_customers else ""),
    )
    if segment.holdout_percent > 0:
        threshold = int(segment.holdout_percent * HOLDOUT_BUCKETS / 100)
        holdout = (
            f"{{{{ cdp.segment_holdout_bucket('{eligible}.customer_id', '{segment.name}') }}}} < {threshold}"
        )
        holdout_comment = f"holdout: {segment.holdout_percent} % of the eligible members, stable across runs"
    else:
        holdout, holdout_comment = "false", "no holdout"
    assigned = relations.builder.add(
        f"{prefix}holdout_assigned",
        [
            "select",
            f"{INDENT}{eligible}.customer_id,",
            f"{INDENT}{holdout} as is_holdout",
            f"from {eligible}",
        ],
        holdout_comment,
    )
    columns = [f"{assigned}.customer_id", f"{assigned}.is_holdout"]
    joins = [f"inner join {customers}", f"{INDENT}on {assigned}.customer_id = {customers}.customer_id"]
    needs_predictions = any(output.source == "prediction" for output in segment.outputs)
    for output in segment.outputs:
        relation = relations.predictions() if output.source == "prediction" else customers
        column = f"{relation}.{output.column.name}"
        columns.append(column if output.alias == output.column.name else f"{column} as {output.alias}")
    if needs_predictions:
        predictions = relations.predictions()
        joins += [
            f"left join {predictions}",
            f"{INDENT}on {assigned}.customer_id = {predictions}.customer_id",
        ]
    return relations.builder.add(
        f"{prefix}final",
        [
            "select",
            *[f"{INDENT}{column}," for column in columns[:-1]],
            f"{INDENT}{columns[-1]}",
            f"from {assigned}",
            *joins,
        ],
    )


def build_suppressions(relations: Relations, prefix: str = "") -> str:
    """One row per customer: every reason a segment leaves them out, and their consent per channel."""
    settings = relations.settings
    customers = relations.customers()
    global_list = relations.builder.import_model("global_suppressions", settings.global_suppression_model)
    conditions = ConditionSql(relations, prefix)
    listed_internal = f"coalesce({global_list}.is_internal_account, false)"
    rule_lines: dict[str, list[str]] = {}
    for column, rule, listed in (
        ("is_internal_account", settings.internal_accounts, listed_internal),
        ("is_existing_customer", settings.existing_customers, None),
    ):
        if rule is None:
            rule_lines[column] = [f"{listed or 'false'} as {column},"]
            continue
        tree = conditions.tree(rule)
        if listed is not None:
            # An and-chain needs parentheses under the `or`; leaves, not (...) and or-chains do not.
            needs_parentheses = isinstance(rule, AllOf) and len(rule.children) > 1
            tree = (
                [listed, "or (", *_indent(tree), ")"]
                if needs_parentheses
                else [listed, f"or {tree[0]}", *tree[1:]]
            )
        rule_lines[column] = (
            [f"{tree[0]} as {column},"] if len(tree) == 1 else ["(", *_indent(tree), f") as {column},"]
        )
    columns = [
        f"{customers}.customer_id,",
        f"coalesce({customers}.{settings.erased_column}, false) as is_erased,",
        *[
            f"coalesce({customers}.{column}, false) as has_{channel}_consent,"
            for channel, column in settings.consent_columns.items()
        ],
        *rule_lines["is_internal_account"],
        *rule_lines["is_existing_customer"],
        f"coalesce({global_list}.is_suppressed, false) as is_globally_suppressed,",
        f"{global_list}.suppression_reasons as global_suppression_reasons",
    ]
    final = relations.builder.add(
        f"{prefix}final",
        [
            "select",
            *_indent(columns),
            f"from {customers}",
            *_customer_joins(relations, conditions, customers),
            f"left join {global_list}",
            f"{INDENT}on {customers}.customer_id = {global_list}.customer_id",
        ],
    )
    conditions.add_date_windows(lambda: relations.generated(REFERENCE_DATE_MODEL))
    return final


def build_members(relations: Relations, segments: list[Segment]) -> str:
    """Every segment's members in one relation (segment_members): what membership history tracks."""
    reference_date = relations.generated(REFERENCE_DATE_MODEL)
    if segments:
        selects: list[str] = []
        for index, segment in enumerate(segments):
            relation = relations.generated(segment.model_name)
            if index:
                selects.append("union all")
            text_type = "{{ dbt.type_string() }}"
            selects += [
                "select",
                f"{INDENT}cast({render_string(segment.name)} as {text_type}) as segment_name,",
                f"{INDENT}cast({render_string(segment.channel)} as {text_type}) as channel,",
                f"{INDENT}{relation}.customer_id,",
                f"{INDENT}{relation}.is_holdout",
                f"from {relation}",
            ]
    else:
        selects = [
            "select",
            f"{INDENT}cast(null as {{{{ dbt.type_string() }}}}) as segment_name,",
            f"{INDENT}cast(null as {{{{ dbt.type_string() }}}}) as channel,",
            f"{INDENT}cast(null as {{{{ dbt.type_string() }}}}) as customer_id,",
            f"{INDENT}cast(null as boolean) as is_holdout",
            "where 1 = 0",
        ]
    unioned = relations.builder.add("unioned", selects)
    return relations.builder.add(
        "final",
        [
            "select",
            f"{INDENT}{unioned}.segment_name,",
            f"{INDENT}{unioned}.channel,",
            f"{INDENT}{unioned}.customer_id,",
            f"{INDENT}{unioned}.is_holdout,",
            f"{INDENT}{reference_date}.as_of_date",
            f"from {unioned}",
            f"cross join {reference_date}",
        ],
    )


# ------------------------------------------------------------------------------------------ whole files


def segment_model_sql(settings: Settings, segment: Segment) -> str:
    relations = Relations(settings, QueryBuilder())
    final = build_segment(relations, segment)
    return relations.builder.render([f"select * from {final}"], generated_header(segment.source_file))


def suppressions_model_sql(settings: Settings) -> str:
    relations = Relations(settings, QueryBuilder())
    final = build_suppressions(relations)
    return relations.builder.render([f"select * from {final}"], generated_header(settings.source_file))


def reference_date_model_sql(settings: Settings) -> str:
    relations = Relations(settings, QueryBuilder())
    relations.builder.add("final", build_reference_date_body(relations))
    return relations.builder.render(["select * from final"], generated_header(settings.source_file))


def build_reference_date_body(relations: Relations) -> list[str]:
    customers = relations.customers()
    column = relations.settings.reference_date_column
    return [f"select cast(max({customers}.{column}) as date) as as_of_date", f"from {customers}"]


def members_model_sql(settings: Settings, segments: list[Segment]) -> str:
    relations = Relations(settings, QueryBuilder())
    final = build_members(relations, segments)
    return relations.builder.render([f"select * from {final}"], generated_header("segments/*.yml"))


def preview_query(
    settings: Settings, segments: dict[str, Segment], name: str
) -> tuple[QueryBuilder, str, str]:
    """One self-contained query computing segment `name` from the Customer 360 (no segment model needed).

    Returns the builder (to append the preview's own CTEs), the CTE of the segment's final rows and the CTE of
    its suppression flags. The segments it depends on are computed inline too, each under its own prefix.
    """
    builder = QueryBuilder()
    relations = Relations(settings, builder, inline=True)
    relations.inline_finals[REFERENCE_DATE_MODEL] = builder.add(
        "reference_date", build_reference_date_body(relations)
    )
    relations.inline_finals[SUPPRESSIONS_MODEL] = build_suppressions(relations, "suppressions__")
    order: list[str] = []

    def collect(segment_name: str) -> None:
        if segment_name in order:
            return
        for dependency in segments[segment_name].depends_on:
            collect(dependency)
        order.append(segment_name)

    collect(name)
    final = ""
    for segment_name in order:
        prefix = "" if segment_name == name else f"seg_{segment_name}__"
        final = build_segment(relations, segments[segment_name], prefix)
        relations.inline_finals[f"seg_{segment_name}"] = final
    return builder, final, relations.inline_finals[SUPPRESSIONS_MODEL]
