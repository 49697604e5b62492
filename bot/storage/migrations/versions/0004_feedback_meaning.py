"""Feedback items keep the vectors their grouping compares, computed once when filed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 09:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback_items") as table:
        table.add_column(sa.Column("meaning", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feedback_items") as table:
        table.drop_column("meaning")
