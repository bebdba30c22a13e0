"""The connected_components materialization and its two data tests, on every engine.

Each engine builds a throwaway dbt project (under pytest's tmp dir) whose models use the materialization,
with this project's macros for it copied in (only those: the test does not depend on unrelated macros being
edited elsewhere). The checks are dbt tests of that project, so one `dbt build` per engine runs them all:

- a hand-made graph with several components, a cycle, a star, a chain, isolated nodes, duplicate and
  reversed edges, null ends, and ids whose binary order differs from dictionary order: exact output;
- a hand-made graph of integer ids (node_ids='integer'), beyond 32 bits, smallest in numeric order: exact;
- 10,000-node paths, ids in order (pointer jumping must do it in one round, not 10,000) and shuffled;
- the shuffled path with max_iterations=1: the table is written with is_converged = false and both
  generic tests (cdp.connected_components_converged, cdp.edges_within_one_component) fail.

Spark plans every statement for about a second, so its leg builds the hand-made graph and the
non-convergence case only (the algorithm is the same SQL; the paths add statements, not coverage).
DuckDB and PostgreSQL also check that a failing run leaves the previous table in place.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import (
    PROJECT_DIR,
    WAREHOUSE_FACTORIES,
    Warehouse,
    drop_postgres_schemas,
)

pytestmark = pytest.mark.own_warehouse

MACRO_FILES = [
    "macros/materializations/connected_components.sql",
    "macros/generic_tests/connected_components_converged.sql",
    "macros/generic_tests/edges_within_one_component.sql",
    "macros/utils/binary_order.sql",
]

HANDMADE_EDGES: list[tuple[str | None, str | None]] = [
    ("b", "a"),
    ("a", "b"),  # the same edge reversed
    ("c", "b"),
    ("c", "b"),  # duplicated
    ("x", "y"),  # a cycle
    ("y", "z"),
    ("z", "x"),
    ("s9", "s1"),  # a star whose centre has the largest id
    ("s9", "s2"),
    ("s3", "s9"),
    ("s9", "s4"),
    ("m5", "m4"),  # a chain in descending order
    ("m4", "m3"),
    ("m3", "m2"),
    ("m2", "m1"),
    ("n1", "n3"),  # n2 is the smallest of its neighbourhood: a second round joins it to n1
    ("n3", "n2"),
    ("Zed", "apple"),  # binary order: 'Z' < 'a' (a dictionary collation says otherwise)
    ("9", "10"),  # string order, not numeric: '10' < '9'
    ("lonely", "lonely"),  # an isolated node, given as a self-edge
    ("half", None),  # one null end: the other end is a node
    (None, None),  # nothing
]

HANDMADE_COMPONENTS = {
    "a": "a",
    "b": "a",
    "c": "a",
    "x": "x",
    "y": "x",
    "z": "x",
    "s1": "s1",
    "s2": "s1",
    "s3": "s1",
    "s4": "s1",
    "s9": "s1",
    "m1": "m1",
    "m2": "m1",
    "m3": "m1",
    "m4": "m1",
    "m5": "m1",
    "n1": "n1",
    "n2": "n1",
    "n3": "n1",
    "Zed": "Zed",
    "apple": "Zed",
    "10": "10",
    "9": "10",
    "lonely": "lonely",
    "half": "half",
}

# node_ids='integer': the ids are their own keys, and the smallest is in numeric order (9 < 100).
INTEGER_EDGES: list[tuple[int | None, int | None]] = [
    (2, 1),
    (1, 2),  # the same edge reversed
    (3, 2),
    (3, 2),  # duplicated
    (30, 10),  # a cycle
    (10, 20),
    (20, 30),
    (6_000_000_000, 600),  # beyond 32 bits
    (600, 7_000_000_000),
    (100, 9),  # numeric order, not string order
    (42, 42),  # an isolated node, given as a self-edge
    (50, None),  # one null end: the other end is a node
    (None, None),  # nothing
]

INTEGER_COMPONENTS = {
    1: 1,
    2: 1,
    3: 1,
    10: 10,
    20: 10,
    30: 10,
    600: 600,
    6_000_000_000: 600,
    7_000_000_000: 600,
    9: 9,
    100: 9,
    42: 42,
    50: 50,
}

PATH_NODES = 10_000
MAX_PATH_ITERATIONS = 20

# Models every engine builds; Spark builds only these (see the module docstring).
EVERY_ENGINE = "every_engine"


def sql_literal(value: str | int | None, integer: bool = False) -> str:
    if integer:
        return f"cast({'null' if value is None else value} as {{{{ dbt.type_bigint() }}}})"
    if value is None:
        return "cast(null as {{ dbt.type_string() }})"
    return "'" + str(value).replace("'", "''") + "'"


def handmade_edges_sql(edges: list, integer: bool = False) -> str:
    rows = [
        f"select {sql_literal(node, integer)} as node_id, {sql_literal(linked, integer)} as linked_node_id"
        for node, linked in edges
    ]
    return f"{{{{ config(materialized='view', tags=['{EVERY_ENGINE}']) }}}}\n" + "\nunion all\n".join(rows)


def path_edges_sql(prefix: str, shuffled: bool, tags: str = "[]") -> str:
    """A path of PATH_NODES nodes; shuffled: the ids follow a fixed permutation of the positions."""
    label = "mod(position * 7919, 10000)" if shuffled else "position"
    next_label = "mod((position + 1) * 7919, 10000)" if shuffled else "position + 1"
    return f"""{{{{ config(materialized='view', tags={tags}) }}}}
with digits as (
    select 0 as digit union all select 1 union all select 2 union all select 3 union all select 4
    union all select 5 union all select 6 union all select 7 union all select 8 union all select 9
),

positions as (
    select units.digit + 10 * tens.digit + 100 * hundreds.digit + 1000 * thousands.digit as position
    from digits as units
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands
)

select
    concat('{prefix}', lpad(cast({label} as {{{{ dbt.type_string() }}}}), 5, '0')) as node_id,
    concat('{prefix}', lpad(cast({next_label} as {{{{ dbt.type_string() }}}}), 5, '0')) as linked_node_id
from positions
where position < {PATH_NODES - 1}
"""


def components_sql(
    edges_model: str,
    max_iterations: int = 40,
    tags: str = "[]",
    breakable: str = "",
    node_ids: str = "string",
) -> str:
    """A connected_components model. `breakable` makes it fail when var cc_break is set: 'runtime' while
    the work tables are built (a cast error), 'columns' before (a third column)."""
    columns = "node_id, linked_node_id"
    if breakable == "runtime":
        columns = (
            "node_id, {% if var('cc_break', false) %}cast(cast(linked_node_id as integer) as "
            "{{ dbt.type_string() }}){% else %}linked_node_id{% endif %} as linked_node_id"
        )
    elif breakable == "columns":
        columns = "node_id, linked_node_id{% if var('cc_break', false) %}, node_id as extra_id{% endif %}"
    config = f"materialized='connected_components', max_iterations={max_iterations}, tags={tags}"
    if node_ids != "string":
        config += f", node_ids='{node_ids}'"
    return f"{{{{ config({config}) }}}}\nselect {columns} from {{{{ ref('{edges_model}') }}}}\n"


def expected_rows_test(model: str, expected: dict, iterations_check: str, integer: bool = False) -> str:
    """A singular test: one row per node whose component differs from `expected`, plus a row if the
    iterations or convergence columns are off."""
    expected_sql = "\n    union all\n    ".join(
        f"select {sql_literal(node, integer)} as node_id, {sql_literal(component, integer)} as component_id"
        for node, component in sorted(expected.items())
    )
    node_text = "cast(coalesce(expected.node_id, actual.node_id) as {{ dbt.type_string() }})"
    return f"""
with expected as (
    {expected_sql}
),

actual as (
    select node_id, component_id from {{{{ ref('{model}') }}}}
)

select
    {node_text} as node_id,
    cast(expected.component_id as {{{{ dbt.type_string() }}}}) as expected_component_id,
    cast(actual.component_id as {{{{ dbt.type_string() }}}}) as actual_component_id
from expected
full outer join actual on expected.node_id = actual.node_id
where
    expected.component_id is null
    or actual.component_id is null
    or expected.component_id <> actual.component_id

union all

select 'iterations or is_converged', cast(min(iterations) as {{{{ dbt.type_string() }}}}),
    cast(max(iterations) as {{{{ dbt.type_string() }}}})
from {{{{ ref('{model}') }}}}
having not ({iterations_check}) or min(iterations) <> max(iterations)
"""


def path_test(model: str, component_id: str, iterations_check: str) -> str:
    """A singular test for a path model: every node, one component, and the iterations as expected."""
    return f"""
select
    count(*) as nodes,
    count(distinct component_id) as components,
    min(component_id) as component_id
from {{{{ ref('{model}') }}}}
having count(*) <> {PATH_NODES}
    or count(distinct component_id) <> 1
    or min(component_id) <> '{component_id}'
    or not ({iterations_check})
"""


MODELS_YML = """
models:
  - name: handmade_components
    data_tests:
      - cdp.connected_components_converged
      - cdp.edges_within_one_component:
          arguments:
            edges: ref('handmade_edges')
    columns:
      - name: node_id
        data_tests: [unique, not_null]
      - name: component_id
        data_tests: [not_null]
  - name: integer_components
    data_tests:
      - cdp.connected_components_converged
      - cdp.edges_within_one_component:
          arguments:
            edges: ref('integer_edges')
    columns:
      - name: node_id
        data_tests: [unique, not_null]
  - name: sorted_path_components
    data_tests:
      - cdp.connected_components_converged
      - cdp.edges_within_one_component:
          arguments:
            edges: ref('sorted_path_edges')
  - name: shuffled_path_components
    data_tests:
      - cdp.connected_components_converged
      - cdp.edges_within_one_component:
          arguments:
            edges: ref('shuffled_path_edges')
            node_column: node_id
            linked_node_column: linked_node_id
  - name: shuffled_path_not_converged
    data_tests:
      - cdp.connected_components_converged
      - cdp.edges_within_one_component:
          arguments:
            edges: ref('shuffled_path_edges')
"""

# The tests that must fail: the non-converged model is caught by both generic tests.
NOT_CONVERGED_MODEL = "shuffled_path_not_converged"
EXPECTED_FAILURES = {"connected_components_converged", "edges_within_one_component"}


def write_project(project_dir: Path) -> None:
    models = project_dir / "models"
    singular_tests = project_dir / "tests"
    for directory in (models, singular_tests, project_dir / "macros"):
        directory.mkdir(parents=True)
    for macro_file in MACRO_FILES:
        shutil.copy(PROJECT_DIR / macro_file, project_dir / "macros" / Path(macro_file).name)
    (project_dir / "dbt_project.yml").write_text(
        # The name must be cdp: the macros dispatch within the cdp namespace.
        "name: cdp\nversion: '1.0.0'\nconfig-version: 2\nprofile: cdp\n"
        "model-paths: ['models']\nmacro-paths: ['macros']\ntest-paths: ['tests']\n"
    )
    every_engine = f"['{EVERY_ENGINE}']"
    files = {
        models / "handmade_edges.sql": handmade_edges_sql(HANDMADE_EDGES),
        models / "integer_edges.sql": handmade_edges_sql(INTEGER_EDGES, integer=True),
        models / "integer_components.sql": components_sql(
            "integer_edges", tags=every_engine, node_ids="integer"
        ),
        models / "handmade_components.sql": components_sql(
            "handmade_edges", tags=every_engine, breakable="runtime"
        ),
        models / "sorted_path_edges.sql": path_edges_sql("p", shuffled=False),
        models / "sorted_path_components.sql": components_sql("sorted_path_edges", breakable="columns"),
        models / "shuffled_path_edges.sql": path_edges_sql("q", shuffled=True, tags=every_engine),
        models / "shuffled_path_components.sql": components_sql("shuffled_path_edges"),
        models / "shuffled_path_not_converged.sql": components_sql(
            "shuffled_path_edges", max_iterations=1, tags=every_engine
        ),
        models / "_models.yml": MODELS_YML,
        singular_tests / "handmade_components_are_exact.sql": expected_rows_test(
            "handmade_components",
            HANDMADE_COMPONENTS,
            "min(iterations) = 2 and min(case when is_converged then 1 else 0 end) = 1",
        ),
        singular_tests / "integer_components_are_exact.sql": expected_rows_test(
            "integer_components",
            INTEGER_COMPONENTS,
            "min(case when is_converged then 1 else 0 end) = 1",
            integer=True,
        ),
        # Sorted ids: one round (pointer jumping follows the whole path), where min-label propagation
        # alone would need 10,000 passes.
        singular_tests / "sorted_path_is_one_component.sql": path_test(
            "sorted_path_components",
            "p00000",
            "min(iterations) = 1 and max(iterations) = 1"
            " and min(case when is_converged then 1 else 0 end) = 1",
        ),
        singular_tests / "shuffled_path_is_one_component.sql": path_test(
            "shuffled_path_components",
            "q00000",
            f"min(iterations) >= 2 and max(iterations) <= {MAX_PATH_ITERATIONS}"
            " and min(case when is_converged then 1 else 0 end) = 1",
        ),
        singular_tests / "not_converged_is_written_and_flagged.sql": f"""
select count(*) as nodes
from {{{{ ref('shuffled_path_not_converged') }}}}
having count(*) <> {PATH_NODES}
    or max(case when is_converged then 1 else 0 end) <> 0
    or min(iterations) <> 1 or max(iterations) <> 1
    or count(distinct component_id) < 2
""",
    }
    for path, text in files.items():
        path.write_text(text)


@dataclasses.dataclass
class Build:
    warehouse: Warehouse
    project_dir: Path
    stdout: str
    # (model, check) -> (status, failures): check is the generic test's name, the singular test's name,
    # or "model" for the model itself.
    outcomes: dict[tuple[str, str], tuple[str, int | None]]

    def dbt(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_dbt(self.warehouse, self.project_dir, *args)


def run_dbt(warehouse: Warehouse, project_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return warehouse.dbt(*args, check=False, project_dir=project_dir)


def read_outcomes(warehouse: Warehouse) -> dict[tuple[str, str], tuple[str, int | None]]:
    target_dir = Path(warehouse.env["DBT_TARGET_PATH"])
    nodes = json.loads((target_dir / "manifest.json").read_text())["nodes"]
    outcomes = {}
    for result in json.loads((target_dir / "run_results.json").read_text())["results"]:
        node = nodes[result["unique_id"]]
        if node["resource_type"] == "model":
            key = (node["name"], "model")
        elif node.get("test_metadata"):
            key = (node["attached_node"].split(".")[-1], node["test_metadata"]["name"])
        else:
            key = ("singular", node["name"])
        outcomes[key] = (result["status"], result.get("failures"))
    return outcomes


@pytest.fixture(scope="module", params=list(WAREHOUSE_FACTORIES))
def build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    target = request.param
    scratch = tmp_path_factory.mktemp(f"connected-components-{target}")
    warehouse = WAREHOUSE_FACTORIES[target](scratch)
    if target == "postgres":
        schema = f"cc_test_{uuid.uuid4().hex[:8]}"
        warehouse = dataclasses.replace(
            warehouse, schema=schema, env=warehouse.env | {"CDP_PG_SCHEMA": schema}
        )
    project_dir = scratch / "project"
    write_project(project_dir)
    # Cautious: a test runs only when all the models it reads are built (an edge test reads two).
    selection = (
        ["--select", f"tag:{EVERY_ENGINE}", "--indirect-selection", "cautious"] if target == "spark" else []
    )
    completed = run_dbt(warehouse, project_dir, "build", *selection)
    try:
        yield Build(warehouse, project_dir, completed.stdout, read_outcomes(warehouse))
    finally:
        if target == "postgres":
            drop_postgres_schemas(warehouse)


def test_every_check_passes_except_the_two_that_catch_non_convergence(build: Build) -> None:
    models = {model for model, check in build.outcomes if check == "model"}
    expected_models = {"handmade_components", "integer_components", NOT_CONVERGED_MODEL}
    if build.warehouse.target != "spark":
        expected_models |= {"sorted_path_components", "shuffled_path_components"}
    assert expected_models <= models, build.stdout[-5000:]
    singular = {check for model, check in build.outcomes if model == "singular"}
    assert {"handmade_components_are_exact", "integer_components_are_exact"} <= singular
    unexpected = {
        key: outcome
        for key, outcome in build.outcomes.items()
        if outcome[0] not in ("success", "pass")
        and not (key[0] == NOT_CONVERGED_MODEL and key[1] in EXPECTED_FAILURES)
    }
    assert unexpected == {}, build.stdout[-10000:]
    for check in EXPECTED_FAILURES:
        status, failures = build.outcomes[(NOT_CONVERGED_MODEL, check)]
        assert status == "fail" and failures, f"{check} should have caught {NOT_CONVERGED_MODEL}"
    # Every node of the path fails the convergence test.
    assert build.outcomes[(NOT_CONVERGED_MODEL, "connected_components_converged")][1] == PATH_NODES


def test_the_run_reports_rounds_and_convergence(build: Build) -> None:
    assert "connected_components: handmade_components: 2 round(s), converged" in build.stdout
    assert f"connected_components: {NOT_CONVERGED_MODEL}: 1 round(s), NOT converged (max_iterations=1)" in (
        build.stdout
    )


def test_a_failed_run_leaves_the_previous_tables_in_place(build: Build) -> None:
    """handmade_components fails on its first work table (a cast error in the model's rows),
    sorted_path_components before any (a third column, with a message that says what is expected)."""
    if build.warehouse.target == "spark":
        pytest.skip("one more Spark session (about 30 s) for what DuckDB and PostgreSQL already show")
    schema = build.warehouse.schema
    models = ["handmade_components", "sorted_path_components"]
    summary_sql = " union all ".join(
        f"select '{model}', count(*), count(distinct component_id) from {schema}.{model}" for model in models
    )
    before = sorted(build.warehouse.query(summary_sql))
    completed = build.dbt("run", "--select", *models, "--vars", "{cc_break: true}")
    assert completed.returncode != 0
    assert "ERROR=2" in completed.stdout, completed.stdout[-5000:]
    assert "must select exactly two columns, node_id and linked_node_id" in completed.stdout
    assert sorted(build.warehouse.query(summary_sql)) == before
    leftovers = build.warehouse.query(
        "select table_name from information_schema.tables "
        f"where table_schema = '{schema}' and (table_name like '%\\_\\_cc\\_%' escape '\\' "
        "or table_name like '%\\_\\_dbt\\_%' escape '\\')"
    )
    assert leftovers == []
