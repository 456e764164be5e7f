"""Everything that knows Airflow or Cosmos: the helpers DAG files call (the run's night, the typed
items in and out of XCom, the marts' Assets), the Cosmos dbt task group and its manifest, the
failure alerts, and the runner of `airflow dags test` behind `thanrak run-night`."""
