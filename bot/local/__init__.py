"""opsbot without Slack: the terminal console, the loopback Slack Web API it talks to, and the demo data."""
