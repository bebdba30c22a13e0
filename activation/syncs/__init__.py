"""Reverse-ETL syncs: segment models in the warehouse kept in sync with destinations.

config     sync definitions (dbt exposures with `meta.activation`), validated on load
warehouse  connections through the dbt profile (DuckDB, PostgreSQL, Spark for reading)
sql        the SQL of members, diffs and state bookkeeping
state      the sync state tables in the warehouse (own schema), readable by BI
engine     batching, concurrency, rate limits, retries, acknowledgements, crash recovery
delivery   token bucket, backoff, the HTTP transport and its error routing
pii        identifier normalisation and hashing per platform
cli        the `activation sync|plan|status|destinations` commands
"""
