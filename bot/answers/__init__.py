"""Answering questions: the answer process, replies in Slack, and learning the team's own documents."""
