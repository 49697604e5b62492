"""The routers: which Slack command or event goes to which feature."""
