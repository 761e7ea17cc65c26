"""The state store: schema, migrations, redaction and backends (local file; Azure Blob planned)."""
