"""Shared fixtures of the Python package's tests: the repository's files
(golden files, fixtures) and the native CLI to compare with.

The CLI is ``$FIREDRILL_CLI`` when set, else built by ``cargo build --bin
firedrill`` in the checkout (a no-op after ``cargo test``). Without cargo
the tests that need it skip with the reason, and fail instead when the
environment variable ``CI`` is set, as the Rust suites do.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import firedrill

#: The checkout: python/tests/../..
ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
FIXTURES = ROOT / "tests" / "fixtures"

#: A scenario of the full task with a clear cause, used across the suite.
POOL = "connection-pool-exhaustion-v1"


def missing(reason: str) -> None:
    """Skips the test, or fails it on CI, where nothing may be missing."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: nothing may be missing)")
    pytest.skip(reason)


@pytest.fixture
def env() -> firedrill.Env:
    return firedrill.Env()


@pytest.fixture
def pool(env: firedrill.Env) -> firedrill.Env:
    """An environment in an episode of POOL, seed 42."""
    env.reset(scenario=POOL, seed=42)
    return env


def _build_cli() -> Path:
    command = ["cargo", "build", "--quiet", "--bin", "firedrill", "--message-format=json"]
    try:
        built = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=1800
        )
    except FileNotFoundError:
        missing("cargo is not installed: cannot build the firedrill CLI to compare with")
    if built.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed:\n{built.stderr[-4000:]}")
    for line in built.stdout.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message.get("executable"):
            if message["target"]["name"] == "firedrill":
                return Path(message["executable"])
    pytest.fail(f"{' '.join(command)} named no firedrill executable")


@pytest.fixture(scope="session")
def cli() -> Path:
    """The native CLI `firedrill`."""
    given = os.environ.get("FIREDRILL_CLI")
    if given:
        path = Path(given)
        if not path.is_file():
            pytest.fail(f"FIREDRILL_CLI={given} is not a file")
        return path
    return _build_cli()


def cli_json(cli: Path, *arguments: str) -> dict | list:
    """What `firedrill ARGUMENTS --json` prints, parsed."""
    ran = subprocess.run(
        [str(cli), *arguments, "--json"], capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, f"firedrill {' '.join(arguments)} --json: {ran.stderr}"
    return json.loads(ran.stdout)
