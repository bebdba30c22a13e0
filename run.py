#!/usr/bin/env python3
"""One entry point for people and CI: `python3 run.py demo` and `python3 run.py test`.

Needs only Python >= 3.11 on the machine: it creates `.venv/` and installs the project into it (the
runtime dependencies for `demo`, plus the test extras for `test`), then runs the steps.
Re-running skips the install when pyproject.toml has not changed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent
VENV_DIR = PROJECT_DIR / ".venv"
VENV_BIN = VENV_DIR / "bin"


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    print(f"\n$ {' '.join(command)}", flush=True)
    completed = subprocess.run(command, cwd=PROJECT_DIR, env=env)
    if completed.returncode != 0:
        sys.exit(completed.returncode)


def ensure_environment(extras: str | None) -> None:
    """Create the virtualenv and install the project, once per pyproject.toml version and extras."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script is what a person runs with whatever python3 they have
        sys.exit(f"Python >= 3.11 is required, this is {sys.version.split()[0]}")
    if not (VENV_BIN / "python").exists():
        print(f"Creating virtualenv in {VENV_DIR}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV_DIR)
    requirement = f".[{extras}]" if extras else "."
    pyproject = (PROJECT_DIR / "pyproject.toml").read_bytes()
    fingerprint = hashlib.sha256(pyproject + requirement.encode()).hexdigest()
    stamp = VENV_DIR / f".installed-{extras or 'runtime'}"
    if stamp.exists() and stamp.read_text() == fingerprint:
        return
    _run([str(VENV_BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    _run([str(VENV_BIN / "python"), "-m", "pip", "install", "--quiet", "-e", requirement])
    stamp.write_text(fingerprint)


def project_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DBT_PROFILES_DIR", str(PROJECT_DIR))
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def demo(args: argparse.Namespace) -> None:
    ensure_environment(extras=None)
    _run([str(VENV_BIN / "activation"), "demo", "--target", args.target], env=project_env())


CHROMIUM = Path("/usr/bin/chromium")


def start_chromium_install() -> subprocess.Popen[bytes] | None:
    """Debian's Chromium for the web app's browser tests (Playwright drives it; its own browser download
    needs network access to a CDN at test time). Installed only as root; otherwise the browser tests skip
    locally and fail in CI (tests/conftest.py skip_or_fail). Started in the background: it downloads while
    pip installs."""
    if CHROMIUM.exists() or not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        return None
    print("Installing chromium for the browser tests (apt-get, in the background)", flush=True)
    return subprocess.Popen(
        ["sh", "-c", "apt-get update -qq && apt-get install -y -qq chromium"],
        env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
        stdout=subprocess.DEVNULL,
    )


def finish_chromium_install(install: subprocess.Popen[bytes] | None) -> None:
    if install is not None and install.wait() != 0:
        print("Could not install chromium: the browser tests will skip (or fail with CI=true).")


def test(args: argparse.Namespace) -> None:
    chromium_install = start_chromium_install()
    ensure_environment(extras="test")
    finish_chromium_install(chromium_install)
    env = project_env()
    _run([str(VENV_BIN / "ruff"), "check", "."], env=env)
    _run([str(VENV_BIN / "ruff"), "format", "--check", "."], env=env)
    # Two workers, each engine's tests one unit of work, handed out in the order tests/conftest.py sorts them.
    # `run.py test -- --durations=20`: that separator is ours; pytest would read what follows it as paths.
    pytest_args = args.pytest_args[1:] if args.pytest_args[:1] == ["--"] else args.pytest_args
    parallel = [] if "-n" in pytest_args else ["-n", "2", "--dist", "loadgroup", "--no-loadscope-reorder"]
    _run([str(VENV_BIN / "python"), "-m", "pytest", *parallel, *pytest_args], env=env)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo_parser = commands.add_parser("demo", help="build the whole CDP on the sample data")
    demo_parser.add_argument("--target", default=os.environ.get("CDP_TARGET", "duckdb"))
    demo_parser.set_defaults(handler=demo)
    test_parser = commands.add_parser("test", help="lint and run the full test suite")
    test_parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra pytest arguments")
    test_parser.set_defaults(handler=test)
    args = parser.parse_args()
    args.handler(args)


if __name__ == "__main__":
    main()
