"""What DAG files need from Thanrak, kept light: DAG parsing must not import pandas or GX."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from thanrak.pipeline import Stages

WAREHOUSE_CONNECTION_ID = "thanrak_warehouse"


def warehouse_url_for_airflow() -> str:
    """THANRAK_WAREHOUSE_URL, or else the URL of the Airflow connection `thanrak_warehouse`."""
    url = os.environ.get("THANRAK_WAREHOUSE_URL")
    if url:
        return url
    from airflow.sdk import BaseHook

    return BaseHook.get_connection(WAREHOUSE_CONNECTION_ID).get_uri()


def stages_for_airflow() -> Stages:
    from thanrak.pipeline import Stages

    return Stages(warehouse_url_for_airflow())
