"""cdp.jaro_winkler_similarity: the published values, the edge cases, and the same number on every engine.

Each engine compiles the macro in one `dbt show --inline` over a fixed table of pairs (published examples,
edge cases, ~200 pairs generated from the data generator's name pools) and every value is checked against
`reference_jaro_winkler` below, to 5e-10: any two engines therefore agree to 1e-9.

- On the sample warehouses: DuckDB always, PostgreSQL when a server answers (the function comes from the
  on-run-start hook, which the sample build ran).
- Spark is opt-in, like the dbt unit tests (CDP_SPARK_UNIT_TESTS=1): a session start (~20 s) plus planning
  the higher-order-function expression, for a macro the sample build does not call yet.
"""

from __future__ import annotations

import json
import os
import random

import pytest

from tests.conftest import Warehouse

TOLERANCE = 5e-10


def reference_jaro_winkler(left: str | None, right: str | None) -> float | None:
    """The definition documented in macros/utils/string_similarity.sql, on code points (Python str)."""
    if left is None or right is None:
        return None
    if left == right:
        return 1.0
    if not left or not right:
        return 0.0
    window = max(max(len(left), len(right)) // 2 - 1, 0)
    right_taken = [False] * len(right)
    left_matched = []
    for position, char in enumerate(left):
        for candidate in range(max(position - window, 0), min(position + window + 1, len(right))):
            if not right_taken[candidate] and right[candidate] == char:
                right_taken[candidate] = True
                left_matched.append(char)
                break
    matches = len(left_matched)
    if matches == 0:
        return 0.0
    right_matched = [char for char, taken in zip(right, right_taken, strict=True) if taken]
    transpositions = sum(a != b for a, b in zip(left_matched, right_matched, strict=True)) // 2
    jaro = (matches / len(left) + matches / len(right) + (matches - transpositions) / matches) / 3
    prefix = 0
    for left_char, right_char in zip(left[:4], right[:4], strict=False):
        if left_char != right_char:
            break
        prefix += 1
    return jaro + prefix * 0.1 * (1 - jaro)


# (left, right, expected): published values to their published 3 decimals, and edge cases exactly.
PUBLISHED = [
    # The worked examples of the Wikipedia article "Jaro-Winkler distance".
    ("MARTHA", "MARHTA", 0.961),
    ("DWAYNE", "DUANE", 0.840),
    ("DIXON", "DICKSONX", 0.813),
    ("martha", "marhta", 0.961),
]
EDGE_CASES = [
    ("", "", 1.0),  # equal strings, empty ones included
    ("a", "", 0.0),
    ("", "a", 0.0),
    (None, "a", None),
    ("a", None, None),
    (None, None, None),
    ("a", "a", 1.0),
    ("a", "b", 0.0),
    ("jean-pierre", "jean-pierre", 1.0),
    ("abc", "xyz", 0.0),  # no common character
    ("ab", "ba", 0.0),  # window 0: swapped neighbours never match
    ("x", "xy", 0.85),  # jaro 5/6, prefix 1
    ("abcdefgh", "abcdxxxx", 0.8),  # jaro 2/3 < 0.7: still boosted (DuckDB's built-in would say 2/3)
    ("é", "e", 0.0),  # accents count
    ("é", "e\u0301", 0.0),  # precomposed vs decomposed: different code points
    ("😀a", "😀b", 0.7),  # one code point each (Spark's built-in counts UTF-16 units)
    ("hélène", "helene", None),  # None: checked against the reference only
    ("jean-pierre", "jean pierre", None),
    ("marie-claire", "marie claire", None),
    ("anne-sophie", "anne-laure", None),
    ("alain", "benali", None),  # three out-of-order characters: t = 1, not 1.5 (Spark's built-in)
    ("\x01a\x02", "a\x01\x02", None),  # control characters (PostgreSQL's placeholder must skip them)
    ("o'connor", "oconnor", None),  # quotes and backslashes survive each engine's literals
    ("back\\slash", "backslash", None),
    ("ab" * 40 + "c", "ba" * 40 + "c", None),  # longer than 64 characters
]


def generated_name_pairs(count: int = 200, seed: int = 20240) -> list[tuple[str, str]]:
    """Name keys as the identity layer compares them: typo'd twins, near neighbours and strangers."""
    from activation.datagen import pools

    names = sorted(
        {name.lower() for groups in pools.FIRST_NAMES.values() for group in groups for name in group}
        | {name.lower() for group in pools.LAST_NAMES.values() for name in group}
    )
    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyz- éèç"
    pairs = []
    for index in range(count):
        left = rng.choice(names)
        if index % 3 == 2:
            right = rng.choice(names)
        else:
            chars = list(left)
            for _ in range(rng.randint(1, 3)):
                edit = rng.choice(("swap", "drop", "insert", "replace"))
                position = rng.randrange(len(chars))
                if edit == "swap" and position + 1 < len(chars):
                    chars[position], chars[position + 1] = chars[position + 1], chars[position]
                elif edit == "drop" and len(chars) > 1:
                    del chars[position]
                elif edit == "insert":
                    chars.insert(position, rng.choice(alphabet))
                else:
                    chars[position] = rng.choice(alphabet)
            right = "".join(chars)
        pairs.append((left, right))
    return pairs


def all_pairs() -> list[tuple[str | None, str | None]]:
    return [(left, right) for left, right, _ in PUBLISHED + EDGE_CASES] + generated_name_pairs()


def sql_literal(value: str | None, target: str) -> str:
    if value is None:
        return "null"
    if target == "spark":  # backslash escapes in Spark string literals
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return "'" + value.replace("'", "''") + "'"


def similarity_query(pairs: list[tuple[str | None, str | None]], target: str) -> str:
    rows = ",\n".join(
        f"({pair_id}, {sql_literal(left, target)}, {sql_literal(right, target)})"
        for pair_id, (left, right) in enumerate(pairs)
    )
    return (
        "select pair_id, {{ cdp.jaro_winkler_similarity('left_name', 'right_name') }} as similarity\n"
        f"from (values\n{rows}\n) as pairs (pair_id, left_name, right_name)"
    )


def run_similarities(warehouse: Warehouse, pairs: list[tuple[str | None, str | None]]) -> dict[int, float]:
    query = similarity_query(pairs, warehouse.target)
    completed = warehouse.dbt("--quiet", "show", "--inline", query, "--limit", "-1", "--output", "json")
    rows = json.loads(completed.stdout[completed.stdout.index("{") :])["show"]
    return {int(row["pair_id"]): row["similarity"] for row in rows}


@pytest.fixture(scope="module")
def similarities(sample_warehouse: Warehouse) -> tuple[str, dict[int, float]]:
    """(engine, pair index -> the macro's value on that engine) for every pair of all_pairs(), on the sample
    warehouse: its project is parsed already, so the query costs no parse of its own."""
    if sample_warehouse.target == "spark" and os.environ.get("CDP_SPARK_UNIT_TESTS", "") != "1":
        pytest.skip("Spark leg of the macro tests is opt-in: CDP_SPARK_UNIT_TESTS=1")
    return sample_warehouse.target, run_similarities(sample_warehouse, all_pairs())


def test_the_reference_gives_the_published_values() -> None:
    for left, right, published in PUBLISHED:
        assert round(reference_jaro_winkler(left, right), 3) == published, (left, right)


def test_published_values_and_edge_cases(similarities: tuple[str, dict[int, float]]) -> None:
    engine, values = similarities
    for pair_id, (left, right, expected) in enumerate(PUBLISHED + EDGE_CASES):
        value = values[pair_id]
        reference = reference_jaro_winkler(left, right)
        if reference is None:
            assert value is None, (engine, left, right, value)
            continue
        assert value is not None, (engine, left, right)
        assert abs(value - reference) <= TOLERANCE, (engine, left, right, value, reference)
        if expected is not None:
            decimals = 3 if (left, right, expected) in PUBLISHED else 12
            assert round(value, decimals) == expected, (engine, left, right, value)


def test_generated_name_pairs_agree_with_the_reference(similarities: tuple[str, dict[int, float]]) -> None:
    engine, values = similarities
    pairs = all_pairs()
    assert len(values) == len(pairs)
    offset = len(PUBLISHED) + len(EDGE_CASES)
    disagreements = [
        (left, right, values[pair_id], reference_jaro_winkler(left, right))
        for pair_id, (left, right) in enumerate(pairs)
        if pair_id >= offset and abs(values[pair_id] - reference_jaro_winkler(left, right)) > TOLERANCE
    ]
    assert disagreements == [], engine
    assert all(0.0 <= values[pair_id] <= 1.0 for pair_id in range(offset, len(pairs)))
