"""Who put a feedback item in its group by hand: automatic grouping never moves it again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback_items") as table:
        table.add_column(sa.Column("grouped_by", sa.String(length=64), nullable=True))
        table.add_column(sa.Column("grouped_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feedback_items") as table:
        table.drop_column("grouped_at")
        table.drop_column("grouped_by")
