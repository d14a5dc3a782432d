"""Alembic migrations, driven from code (``cpni-guard db upgrade``); no alembic.ini needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.storage.base import Base
from bot.storage.db import Database

__all__ = ["current_revision", "head_revision", "is_up_to_date", "model_differences", "upgrade"]

_SCRIPTS = Path(__file__).with_name("migrations")


def _config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    config.attributes["database"] = database
    return config


def upgrade(database: Database, revision: str = "heads") -> None:
    """Migrate the database up to ``revision`` (default: every newest revision)."""
    command.upgrade(_config(database), revision)


def _heads() -> tuple[str, ...]:
    heads = ScriptDirectory(str(_SCRIPTS)).get_heads()
    if not heads:
        raise RuntimeError("no migrations found")  # a packaging fault, not a user error
    return tuple(sorted(heads))


def _current(database: Database) -> tuple[str, ...]:
    with database.engine.connect() as connection:
        return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def head_revision() -> str:
    """The newest migration's revision id (comma-separated if there are several heads)."""
    return ",".join(_heads())


def current_revision(database: Database) -> str | None:
    """The revision the database is at, or None for an unmigrated database."""
    return ",".join(_current(database)) or None


def is_up_to_date(database: Database) -> bool:
    """Whether the database is migrated to the newest revision."""
    return _current(database) == _heads()


def model_differences(database: Database) -> list[Any]:
    """What Alembic's autogenerate would change to make the database match the models."""
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return list(compare_metadata(context, Base.metadata))
