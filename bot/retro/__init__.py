"""Retrospectives (复盘): the command, its form, and the saved write-up."""
