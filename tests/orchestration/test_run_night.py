"""`thanrak run-night`: the real thanrak_nightly DAG, run by Airflow itself, on whatever the
configured landing zone holds (here an S3 bucket: moto's server on 127.0.0.1), generating
nothing, and the same summary the demo prints."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import boto3
import psycopg
import pytest

from thanrak.demo.generator import generate_night
from thanrak.nights import BANGKOK_TZ

pytestmark = pytest.mark.slow
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _bucket_listing(s3) -> dict[str, str]:
    return {o["Key"]: o["ETag"] for o in s3.list_objects_v2(Bucket="landing").get("Contents", [])}


def test_run_night_processes_the_landing_zone_as_it_is(empty_warehouse, s3_endpoint, tmp_path):
    # moto stamps every object with the time of upload: tonight's cut-off lies ahead of it.
    night = dt.datetime.now(BANGKOK_TZ).date()
    generated = generate_night(
        tmp_path / "files",
        night,
        provinces=["30", "40"],
        datasets=("activities", "otop_sales"),
        scale=0.05,
        file_defects=1,
    )
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket="landing")
    for key in generated.files:
        s3.put_object(Bucket="landing", Key=f"cdd/{key}", Body=(tmp_path / "files" / key).read_bytes())
    before = _bucket_listing(s3)
    var = tmp_path / "var"
    env = {
        **os.environ,
        **CREDENTIALS,
        "THANRAK_VAR_DIR": str(var),
        "THANRAK_WAREHOUSE_URL": empty_warehouse,
        "THANRAK_LANDING_URL": "s3://landing/cdd",
        "THANRAK_S3_ENDPOINT_URL": s3_endpoint,
        "THANRAK_DBT_MODE": "single",  # the DAG's one-task dbt build: quicker, same DAG otherwise
    }
    env.pop("THANRAK_LANDING_DIR", None)
    done = subprocess.run(
        [str(Path(sys.executable).with_name("thanrak")), "run-night", "--night", night.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert f"Thanrak run-night: night {night}" in out and "landing s3://landing/cdd" in out
    assert "generated" not in out  # nothing was made up: the files are the bucket's

    # The summary table: one row per dataset, its files as many as were delivered.
    delivered = Counter(key.split("/")[1] for key in generated.files)
    rows = dict(re.findall(r"^\| (\w+) \| (\d+) \|", out, flags=re.M))
    assert {dataset: int(files) for dataset, files in rows.items() if dataset != "dataset"} == delivered
    assert "Planners' report" in out and "Airflow log:" in out

    with psycopg.connect(empty_warehouse) as conn:
        statuses = dict(conn.execute("select source_key, status from ops.submission").fetchall())
        spoilt = {d.path for d in generated.defects if d.source_row is None}
        assert set(statuses) == set(generated.files)
        assert {k for k, s in statuses.items() if s == "rejected"} == spoilt
        assert {s for k, s in statuses.items() if k not in spoilt} == {"loaded"}
        (loaded_rows,) = conn.execute("select count(*) from marts.fct_otop_sales").fetchone()
        assert loaded_rows > 0
    assert _bucket_listing(s3) == before  # the landing zone is read, never written
    assert not (var / "generated").exists() and not (var / "landing").exists()
