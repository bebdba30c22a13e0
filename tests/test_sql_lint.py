"""sqlfluff on the dbt models, with the house rules in .sqlfluff (lower-case keywords, explicit aliases)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_DIR


def test_models_pass_sqlfluff() -> None:
    sqlfluff = str(Path(sys.executable).parent / "sqlfluff")
    completed = subprocess.run(
        [sqlfluff, "lint", "models", "--disable-progress-bar"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout[-10000:] + completed.stderr[-2000:]
