"""The database: engine, schema and migrations, and every store (data is shared; features are uses of it)."""
