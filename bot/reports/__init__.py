"""The ops math in Slack: funnels, RFM and client tiers, from commands or shared CSV files."""
