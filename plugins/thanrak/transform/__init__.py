"""dbt builds the star schema: the in-process `dbt build` (or any dbt command) on the warehouse,
with the result of every node."""
