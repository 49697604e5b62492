"""Helpers shared by the benchmarks that run opsbot processes: starting and killing `opsbot serve`,
signed Slack requests, a throwaway PostgreSQL and a Chroma server. Not a benchmark itself."""
