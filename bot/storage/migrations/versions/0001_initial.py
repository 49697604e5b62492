"""The schema as of the first release with migrations: every table opsbot had by then.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 09:55:36.718648
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clients",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("arr", sa.Float(), nullable=True),
        sa.Column("contract_end", sa.Date(), nullable=True),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("dimension_values", sa.Text(), nullable=False),
        sa.Column("key_contact_changed", sa.Boolean(), nullable=True),
        sa.Column("competitor_pressure", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clients_contract_end"), ["contract_end"], unique=False)

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("error", sa.String(length=100), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner", "day", "kind"),
    )
    op.create_table(
        "feedback_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("deciding_words", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("original_category", sa.String(length=32), nullable=True),
        sa.Column("corrected_by", sa.String(length=64), nullable=True),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_by", sa.String(length=64), nullable=True),
        sa.Column("customer", sa.String(length=200), nullable=True),
        sa.Column("reporter", sa.String(length=64), nullable=False),
        sa.Column("filed_by", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("permalink", sa.String(length=500), nullable=True),
        sa.Column("said_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("routed_channel", sa.String(length=64), nullable=True),
        sa.Column("routed_ts", sa.String(length=32), nullable=True),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    with op.batch_alter_table("feedback_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_items_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_items_customer"), ["customer"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_items_filed_at"), ["filed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_items_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_items_said_at"), ["said_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_items_status"), ["status"], unique=False)

    op.create_table(
        "feedback_routes",
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("category"),
    )
    op.create_table(
        "metric_values",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=100), nullable=False),
        sa.Column("client", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", "metric", "client"),
    )
    op.create_table(
        "owners",
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("tz_overridden", sa.Boolean(), nullable=False),
        sa.Column("digest_at", sa.String(length=5), nullable=False),
        sa.Column("working_days", sa.String(length=20), nullable=False),
        sa.Column("metrics", sa.Text(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("snoozed_until", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user"),
    )
    op.create_table(
        "processed_events",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_processed_events_created_at"), ["created_at"], unique=False)

    op.create_table(
        "retros",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("causes", sa.Text(), nullable=False),
        sa.Column("lessons", sa.Text(), nullable=False),
        sa.Column("metric", sa.String(length=100), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("author", sa.String(length=50), nullable=False),
        sa.Column("channel", sa.String(length=50), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_ts", sa.String(length=40), nullable=True),
        sa.Column("indexed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("retros", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retros_created_at"), ["created_at"], unique=False)

    op.create_table(
        "todos",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("todos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_todos_owner"), ["owner"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("todos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_todos_owner"))

    op.drop_table("todos")
    with op.batch_alter_table("retros", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retros_created_at"))

    op.drop_table("retros")
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processed_events_created_at"))

    op.drop_table("processed_events")
    op.drop_table("owners")
    op.drop_table("metric_values")
    op.drop_table("feedback_routes")
    with op.batch_alter_table("feedback_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_items_status"))
        batch_op.drop_index(batch_op.f("ix_feedback_items_said_at"))
        batch_op.drop_index(batch_op.f("ix_feedback_items_group_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_items_filed_at"))
        batch_op.drop_index(batch_op.f("ix_feedback_items_customer"))
        batch_op.drop_index(batch_op.f("ix_feedback_items_category"))

    op.drop_table("feedback_items")
    op.drop_table("deliveries")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clients_contract_end"))

    op.drop_table("clients")
