"""The weekly summary: collected, composed, posted to the team's chosen channel on its schedule."""
