"""Thanrak (ฐานราก): the nightly data platform of Thailand's Community Development Department.

The sub-packages follow one night's flow: `landing` (where provincial files arrive and are
registered) → `extract` (bytes to a typed table) → `validate` (the contract's rules, row by row
and file by file) → `load` (COPY into raw, quarantine, the manifest's verdicts) → `transform`
(dbt builds the marts) → `report` (what planners read). `contract` declares what a province
sends, `thai` knows Thai text and dates, `warehouse` owns the PostgreSQL side, `orchestration`
is the only place that knows Airflow or Cosmos, and `demo` makes realistic test data.
`pipeline.Stages` runs the stages in order; `cli` is the `thanrak` command."""
