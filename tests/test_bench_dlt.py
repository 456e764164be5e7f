"""`make bench`'s dlt comparison (bench/dlt/): dlt's arrow path loads the load bench's clean CSV
files into PostgreSQL from its own environment, and the suite's ratios are worked out from it.
Never asserts on time."""

from __future__ import annotations

import psycopg
import pytest
from bench import suite
from bench.data import generate
from bench.dlt import DATASET_NAME, DltUnavailable, run_dlt, venv_python

ROWS = 2_000


@pytest.fixture(scope="module")
def dlt_python():
    """The dlt environment's interpreter (made with uv from bench/dlt/requirements.lock)."""
    try:
        return venv_python()
    except DltUnavailable as reason:
        pytest.skip(f"the dlt environment could not be made: {reason}")


def test_dlt_loads_every_bench_row(dlt_python, empty_warehouse, tmp_path):
    data = generate(ROWS, tmp_path / str(ROWS))
    result = run_dlt(empty_warehouse, data, dlt_python)
    with psycopg.connect(empty_warehouse) as conn:
        (loaded,) = conn.execute(f"select count(*) from {DATASET_NAME}.bmn_households").fetchone()
        # Blank cells arrive as NULL, as raw COPY of the same files leaves them.
        (blank_items,) = conn.execute(
            f"select count(*) from {DATASET_NAME}.bmn_households where indicator_38 is null"
        ).fetchone()
    assert loaded == result["rows"] == data.rows == ROWS
    assert 0 < blank_items < ROWS
    assert result["loader_file_format"] == "csv"
    assert result["compression"] is True  # dlt's default, the goal's measurement
    assert result["seconds"] > 0


def test_dlt_ratio_multiple_is_thanraks_ratio_over_dlts():
    assert suite.dlt_ratio_multiple(0.5, 0.2) == pytest.approx(2.5)
    assert suite.dlt_ratio_multiple(0.5, None) is None
    assert suite.dlt_ratio_multiple(None, 0.2) is None
