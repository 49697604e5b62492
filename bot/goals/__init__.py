"""Goals in Slack: `/ops goal` (目标) to add, list, check and close them."""
