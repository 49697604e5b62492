"""Slack plumbing every feature uses: requests, the Web API client, escaping, files, blocks, delivery, health, HTTP."""
