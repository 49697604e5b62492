"""Action ids one feature shows on a button and another handles (features never import each other)."""

from __future__ import annotations

GOAL_RETRO_ACTION = "goal_retro"
"""The digest's "write the retrospective" button on an ended goal; the retro feature opens the form."""
