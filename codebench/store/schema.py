"""Create, check and upgrade the schema of a project through Alembic.

A new project is created by running every migration (``upgrade head``). An older project is
copied to a backup first (SQLite) and then upgraded; a project newer than this code is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from codebench.domain.errors import SchemaError
from codebench.store.backup import backup_sqlite
from codebench.store.engine import sqlite_path


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("codebench.migrations")))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def has_tables(engine: Engine) -> bool:
    return bool(inspect(engine).get_table_names())


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def backup_before_upgrade(engine: Engine, path: Path, revision: str | None) -> Path:
    """A self-contained copy of the project file, named after its schema revision, before an upgrade."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    dest = path.with_name(f"{path.name}.{revision or 'unversioned'}.{stamp}.bak")
    backup_sqlite(engine, dest)
    return dest


def ensure_current(engine: Engine, url: str) -> Path | None:
    """Bring an existing project to the head revision; returns the backup made, if any."""
    revision = current_revision(engine)
    head = head_revision()
    if revision == head:
        return None
    if revision is None:
        if has_tables(engine):
            raise SchemaError(f"{url} is not a codebench project (tables without a schema version)")
        raise SchemaError(f"{url} is not a codebench project yet: run `codebench init`")
    if revision not in known_revisions():
        raise SchemaError(
            f"{url} was written by a newer codebench (schema {revision}); upgrade codebench to open it"
        )
    path = sqlite_path(url)
    backup = backup_before_upgrade(engine, path, revision) if path is not None else None
    upgrade(engine)
    return backup
