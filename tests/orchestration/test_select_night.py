"""The WATCHER producer's interceptor: the night's selection becomes the producer's `--select`,
with the unit tests left out as in the one-task build; a full build runs everything."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import psycopg
from cosmos.operators.watcher import DbtProducerWatcherOperator

from thanrak.orchestration.cosmos import SELECTION_XCOM_KEY, select_night
from thanrak.settings import PROJECT_ROOT
from thanrak.transform.dbt_build import project_fingerprint
from thanrak.warehouse.run_log import record_stage

NIGHT = dt.date(2026, 10, 4)


def _producer(context_params: dict) -> tuple[mock.Mock, dict]:
    producer = mock.Mock(spec=DbtProducerWatcherOperator)
    producer.select, producer.dbt_cmd_flags = None, []
    context = {"run_id": "r", "params": {"night": NIGHT.isoformat(), **context_params}, "ti": mock.Mock()}
    return producer, context


def test_a_nights_selection_leaves_out_the_unit_tests(warehouse, monkeypatch):
    monkeypatch.setenv("THANRAK_WAREHOUSE_URL", warehouse)
    monkeypatch.delenv("THANRAK_DBT_FULL", raising=False)
    with psycopg.connect(warehouse, autocommit=True) as conn:
        detail = {"success": True, "fingerprint": project_fingerprint(PROJECT_ROOT / "dbt_project")}
        record_stage(
            conn, "night-1", NIGHT - dt.timedelta(days=1), "build_marts", dt.datetime.now(dt.UTC), detail
        )

    producer, context = _producer({"full_build": False})
    select_night(context, producer)
    assert producer.select and "fct_dq_deliveries+" in producer.select
    assert producer.dbt_cmd_flags == ["--exclude-resource-type", "unit_test"]
    pushed = context["ti"].xcom_push.call_args.kwargs
    assert pushed["key"] == SELECTION_XCOM_KEY and pushed["value"]["selection"] == []

    producer, context = _producer({"full_build": True})
    select_night(context, producer)
    assert producer.select is None and producer.dbt_cmd_flags == []
