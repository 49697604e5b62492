"""Renewals: the client roster command, renewal briefs and charts, and the reminders before a contract ends."""
