"""Shared fixtures: real SQLite files in tmp_path, and a real PostgreSQL database per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from codebench.cli.app import app

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SAMPLES = REPO / "sample_transcripts"
PG_ENV = "CODEBENCH_TEST_PG"


def _pg_server() -> str | None:
    url = os.environ.get(PG_ENV)
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(f"{PG_ENV} is not set: CI must start PostgreSQL (.ci/start-postgres.sh)")
    pytest.skip(f"no PostgreSQL server: set {PG_ENV} (e.g. from .ci/start-postgres.sh) to run these tests")
    return None


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'project.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    server = _pg_server()
    name = f"cb_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test against a SQLite file and a PostgreSQL database."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


class Cli:
    """Runs `codebench` in-process with a fixed --db."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.runner = CliRunner()

    def __call__(self, *args: str | Path, ok: bool = True):  # noqa: ANN204
        result = self.runner.invoke(app, [*map(str, args)], env={"CODEBENCH_DB": self.url, "COLUMNS": "200"})
        if ok and result.exit_code != 0:
            raise AssertionError(f"codebench {' '.join(map(str, args))} -> {result.exit_code}\n"
                                 f"{result.stdout}\n{result.stderr}\n{result.exception!r}")
        return result


@pytest.fixture
def cli(sqlite_url: str) -> Cli:
    return Cli(sqlite_url)


@pytest.fixture
def any_cli(db_url: str) -> Cli:
    return Cli(db_url)
