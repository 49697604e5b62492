"""The threads opsbot answered in, so a plain reply elsewhere is never read.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 12:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answered_threads",
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("thread_ts", sa.String(length=40), nullable=False),
        sa.Column("first_answer_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "thread_ts"),
    )


def downgrade() -> None:
    op.drop_table("answered_threads")
