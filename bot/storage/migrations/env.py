"""Alembic's entry point: runs the migrations on the connection opsbot hands it (bot.storage.schema)."""

from __future__ import annotations

from alembic import context

from bot.storage.schema import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("opsbot runs its migrations itself: use `opsbot migrate`.")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
