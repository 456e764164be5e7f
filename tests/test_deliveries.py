"""Every delivery counted (issue 11, defects 2 and 3): a delivery is a file landing in a slot at a
moment. Revisions follow delivery time, not path names; the same bytes in another slot are that
slot's own submission; the same bytes in the same slot are a re-delivery, recorded and not
loaded again."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import psycopg
import pytest

from support.activities import activities_file
from thanrak.nights import BANGKOK_TZ
from thanrak.pipeline import Stages
from thanrak.settings import Settings
from thanrak.transform.dbt_build import run_dbt

NIGHT = dt.date(2026, 11, 21)
HEADER_ONLY = activities_file(1, bump=0, bad={}).data.split(b"\r\n")[0] + b"\r\n"


def activities(province: str, rows: int, bump: int = 0) -> bytes:
    return activities_file(rows, bump=bump, bad={}, province=province).data


def deliver(landing: Path, key: str, data: bytes, day: dt.date, at: dt.time) -> str:
    path = landing / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stamp = dt.datetime.combine(day, at, BANGKOK_TZ).timestamp()
    os.utime(path, (stamp, stamp))
    return key


def run(stages: Stages, night: dt.date) -> None:
    for batch in stages.discover_by_province("test", night):
        stages.process_batch("test", night, batch)


def manifest(url: str, *keys: str) -> dict[str, tuple]:
    """key -> (province, revision, status, English reason), for the given files."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """select source_key, province_code, revision, status, reject_reason_en
               from ops.submission where source_key = any(%s)""",
            (list(keys),),
        ).fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def in_force(url: str, settings: Settings, province: str) -> str:
    """The file dbt holds in force for the province's activities of November."""
    assert run_dbt(
        url, ["run", "--select", "stg_ops__submissions", "int_submissions_in_force"], settings
    ).success
    with psycopg.connect(url) as conn:
        (key,) = conn.execute(
            """select source_key from intermediate.int_submissions_in_force
               where province_code = %s and dataset = 'activities' and period = '2026-11'""",
            (province,),
        ).fetchone()
    return key


@pytest.fixture
def stages(warehouse, tmp_path) -> Stages:
    return Stages(warehouse, Settings.in_folder(tmp_path / "var", warehouse))


def test_a_correction_delivered_later_is_in_force_whatever_its_name(warehouse, stages):
    landing = stages.settings.landing_dir
    # Sorted by name the correction comes first; by delivery it comes second.
    original = deliver(
        landing, "40/activities/2026-11/z_original.csv", activities("40", 12, 0), NIGHT, dt.time(9, 0)
    )
    correction = deliver(
        landing, "40/activities/2026-11/a_correction.csv", activities("40", 10, 500), NIGHT, dt.time(21, 0)
    )
    run(stages, NIGHT)
    seen = manifest(warehouse, original, correction)
    assert seen[original][1:3] == (1, "loaded")
    assert seen[correction][1:3] == (2, "loaded")
    assert in_force(warehouse, stages.settings, "40") == correction


def test_a_file_found_late_but_delivered_earlier_does_not_displace_the_one_in_force(warehouse, stages):
    landing = stages.settings.landing_dir
    correction = deliver(
        landing, "50/activities/2026-11/correction.csv", activities("50", 10, 500), NIGHT, dt.time(21, 0)
    )
    run(stages, NIGHT)
    # The next night the office copies its original into the folder, keeping its old time.
    original = deliver(
        landing, "50/activities/2026-11/original.csv", activities("50", 12, 0), NIGHT, dt.time(9, 0)
    )
    run(stages, NIGHT + dt.timedelta(days=1))
    seen = manifest(warehouse, original, correction)
    assert seen[correction][1:3] == (1, "loaded") and seen[original][1:3] == (2, "loaded")
    assert in_force(warehouse, stages.settings, "50") == correction


def test_identical_bytes_in_two_provinces_are_two_submissions_with_their_verdicts(warehouse, stages):
    landing = stages.settings.landing_dir
    first = deliver(landing, "57/activities/2026-11/activities.csv", HEADER_ONLY, NIGHT, dt.time(10, 0))
    second = deliver(landing, "65/activities/2026-11/activities.csv", HEADER_ONLY, NIGHT, dt.time(11, 0))
    run(stages, NIGHT)
    seen = manifest(warehouse, first, second)
    assert {key: (province, status) for key, (province, _, status, _) in seen.items()} == {
        first: ("57", "rejected"),
        second: ("65", "rejected"),
    }
    assert all("no data" in reason for *_, reason in seen.values())


def test_a_misfiled_file_moved_byte_for_byte_into_the_right_folder_is_loaded(warehouse, stages):
    landing = stages.settings.landing_dir
    data = activities("30", 10)
    misfiled = deliver(landing, "96/activities/2026-11/activities_30.csv", data, NIGHT, dt.time(10, 0))
    run(stages, NIGHT)
    assert manifest(warehouse, misfiled)[misfiled][2] == "rejected"
    assert "another province's folder" in manifest(warehouse, misfiled)[misfiled][3]

    (landing / misfiled).unlink()
    moved = deliver(landing, "30/activities/2026-11/activities_30.csv", data, NIGHT, dt.time(14, 0))
    run(stages, NIGHT)
    assert manifest(warehouse, moved)[moved][:3] == ("30", 1, "loaded")


def test_the_same_bytes_again_in_the_same_slot_are_a_recorded_redelivery(warehouse, stages):
    landing = stages.settings.landing_dir
    data = activities("34", 8)
    first = deliver(landing, "34/activities/2026-11/activities.csv", data, NIGHT, dt.time(10, 0))
    run(stages, NIGHT)
    again = deliver(landing, "34/activities/2026-11/activities (1).csv", data, NIGHT, dt.time(15, 0))
    run(stages, NIGHT)
    with psycopg.connect(warehouse) as conn:
        submissions = conn.execute(
            "select submission_id, status, rows_loaded from ops.submission where province_code = '34'"
        ).fetchall()
        deliveries = conn.execute(
            """select d.source_key, d.submission_id from ops.delivery d
               join ops.submission s using (submission_id) where s.province_code = '34'
               order by d.delivered_at"""
        ).fetchall()
        (raw_rows,) = conn.execute(
            "select count(*) from raw.activities r join ops.submission s using (submission_id) "
            "where s.province_code = '34'"
        ).fetchone()
    [(submission_id, status, loaded)] = submissions
    assert status == "loaded" and raw_rows == loaded == 8
    assert deliveries == [(first, submission_id), (again, submission_id)]


def test_a_nights_batches_come_largest_first_and_revisions_follow_delivery(warehouse, stages):
    """Workers taking the batches in turn end together when the largest come first; hashing files
    side by side does not reorder their revisions (the later delivery is revision 2). October's
    slots: no other test of this warehouse has delivered to them."""
    landing = stages.settings.landing_dir
    deliver(landing, "50/activities/2026-10/small.csv", activities("50", 5), NIGHT, dt.time(9, 0))
    deliver(landing, "34/activities/2026-10/large.csv", activities("34", 400), NIGHT, dt.time(9, 30))
    deliver(landing, "40/activities/2026-10/middle.csv", activities("40", 35), NIGHT, dt.time(10, 0))
    first = deliver(landing, "57/activities/2026-10/a.csv", activities("57", 20, 1), NIGHT, dt.time(11, 0))
    second = deliver(landing, "57/activities/2026-10/b.csv", activities("57", 30, 2), NIGHT, dt.time(10, 30))

    batches = stages.discover_by_province("test", NIGHT)

    assert [[item.submission.province_code for item in batch] for batch in batches] == [
        ["34"],
        ["57", "57"],
        ["40"],
        ["50"],
    ]
    assert [item.submission.key for item in batches[1]] == [second, first]
    assert manifest(warehouse, first, second) == {
        second: ("57", 1, "discovered", None),
        first: ("57", 2, "discovered", None),
    }
    for batch in batches:
        stages.process_batch("test", NIGHT, batch)
