"""What every part of the bot stands on: settings, logging, the LLM client, jobs, the bot's words, charts, team files."""
