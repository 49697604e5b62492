"""Client health in Slack: `/ops health [CLIENT]` (健康度), with the score over time as a chart."""
