"""Alembic environment: runs migrations on the Database handed over by bot.storage.migrate."""

from __future__ import annotations

from alembic import context

import bot.storage  # noqa: F401  (registers every model on the metadata)
from bot.storage.base import Base

database = context.config.attributes["database"]

with database.engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=database.dialect == "sqlite",
        compare_type=True,
        user_module_prefix="bot.storage.types.",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
