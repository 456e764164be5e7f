-- The warehouse's layers. dbt builds into staging, intermediate, marts and bi; the pipeline
-- writes raw, quarantine, ops and dq; ref holds reference data (areas, calendar).
create schema if not exists raw;
create schema if not exists quarantine;
create schema if not exists ops;
create schema if not exists dq;
create schema if not exists ref;
create schema if not exists staging;
create schema if not exists intermediate;
create schema if not exists marts;
create schema if not exists bi;
