"""`make bench`'s own arithmetic (bench/suite.py): medians of repeats, the working time of an
Airflow run read from ops.run_log, and the cache of generated nights. Never asserts on time."""

from __future__ import annotations

import datetime as dt
import filecmp

import psycopg
import pytest
from bench import suite
from bench.dlt import DltUnavailable

from thanrak.demo.generator import generate_night

T0 = dt.datetime(2026, 11, 22, 17, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def test_overlapping_stages_count_once_and_gaps_not_at_all():
    # extract 0-10 overlapped by load 8-12, a gap, then dbt 20-30 holding a test 22-25
    intervals = [(at(8), at(12)), (at(0), at(10)), (at(20), at(30)), (at(22), at(25))]
    assert suite.covered_seconds(intervals) == pytest.approx(22.0)
    assert suite.covered_seconds([]) == 0.0


def test_a_figure_is_the_median_of_its_repeats_and_null_when_one_has_none():
    runs = [{"ratio": 0.30}, {"ratio": 0.10}, {"ratio": 0.25}]
    assert suite.median_of(runs, "ratio") == pytest.approx(0.25)
    assert suite.spread(runs, "ratio") == "0.300 / 0.100 / 0.250"
    assert suite.spread([{"copy_rows_per_second": 284181.4}], "copy_rows_per_second") == "284,181"
    assert suite.spread([{"night_s": 93.34}], "night_s") == "93.3"
    assert suite.median_of([{"ratio": 0.3}, {"ratio": None}], "ratio") is None


def test_the_working_time_of_a_run_comes_from_its_own_run_log_rows(warehouse):
    night = dt.date(2026, 11, 22)
    logged = [
        ("run-1", "discover", 0, 2),
        ("run-1", "extract", 2, 6),
        ("run-1", "load", 5, 9),  # beside the next file's extract
        ("run-1", "build_marts", 15, 40),
        ("run-0", "build_marts", -100, -50),  # an earlier run of the same night
    ]
    with psycopg.connect(warehouse, autocommit=True) as conn:
        for run_id, stage, started, finished in logged:
            conn.execute(
                "insert into ops.run_log (run_id, night, stage, started_at, finished_at, detail)"
                " values (%s, %s, %s, %s, %s, '{}')",
                (run_id, night, stage, at(started), at(finished)),
            )
    work = suite.run_work(warehouse, night)
    assert work["run_id"] == "run-1"
    assert work["work_s"] == pytest.approx(9 + 25)
    assert work["stages"]["load"] == {"calls": 1, "busy_s": 4.0, "covered_s": 4.0}
    assert set(work["stages"]) == {"discover", "extract", "load", "build_marts"}


def test_a_cached_night_is_the_night_the_generator_writes(tmp_path, monkeypatch):
    scale = 0.02
    monkeypatch.setattr(suite, "NIGHT", dt.date(2026, 11, 22))
    cached = suite.generated_landing(tmp_path / "cache", scale)
    assert suite.generated_landing(tmp_path / "cache", scale) == cached  # made once
    generate_night(tmp_path / "direct", suite.NIGHT, scale=scale)
    names = sorted(p.relative_to(cached) for p in cached.rglob("*") if p.is_file())
    assert names == sorted(
        p.relative_to(tmp_path / "direct") for p in (tmp_path / "direct").rglob("*") if p.is_file()
    )
    assert len(names) > 50
    _, mismatched, errors = filecmp.cmpfiles(
        cached, tmp_path / "direct", [str(n) for n in names], shallow=False
    )
    assert (mismatched, errors) == ([], [])
    # a night kept under another key (an older generator) is replaced, not kept beside
    stale = tmp_path / "cache" / f"{suite.NIGHT}-scale{scale:g}-000000000000"
    cached.rename(stale)
    assert suite.generated_landing(tmp_path / "cache", scale) == cached
    assert not stale.exists()


def test_dlt_is_null_with_the_reason_when_its_environment_cannot_be_made(monkeypatch):
    def unavailable():
        raise DltUnavailable("no network")

    monkeypatch.setattr("bench.dlt.venv_python", unavailable)
    assert suite.dlt_environment() == (None, "no network")
    assert "not measured (no network)" in suite._dlt_line({"dlt_ratio": None, "reason": "no network"})
