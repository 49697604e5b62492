"""The answer log and people's votes on answers: what failed, for evaluation.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 11:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("asker", sa.String(length=64), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_answer_log_asked_at", "answer_log", ["asked_at"])
    op.create_table(
        "answer_votes",
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("voter", sa.String(length=64), nullable=False),
        sa.Column("vote", sa.SmallInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["answer_id"], ["answer_log.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("answer_id", "voter"),
    )


def downgrade() -> None:
    op.drop_table("answer_votes")
    op.drop_index("ix_answer_log_asked_at", table_name="answer_log")
    op.drop_table("answer_log")
