"""Resubmission through the local landing folder, night after night, for one slot (province 30,
activities, 2026-11): the same bytes again are not a new submission; changed bytes become the
slot's next revision; raw keeps every revision's rows while the marts hold only the revision in
force; a rejected later revision does not displace a good earlier one."""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

import psycopg
import pytest

from support.activities import Sent, activities_file
from thanrak.contract.messages import MESSAGES
from thanrak.load.files import LoadResult
from thanrak.nights import BANGKOK_TZ
from thanrak.pipeline import Stages
from thanrak.settings import Settings
from thanrak.transform.dbt_build import build_marts

PROVINCE, PERIOD = "30", "2026-11"
SLOT_FOLDER = f"{PROVINCE}/activities/{PERIOD}"
NIGHTS = [dt.date(2026, 11, 20) + dt.timedelta(days=n) for n in range(5)]


REVISION_1 = activities_file(
    30, bump=0, bad={4: {"participants": "ยี่สิบ"}, 11: {"disbursed_baht": "99999999"}, 25: {"gear": "9"}}
)
# Fewer rows, different participant numbers, one bad area code.
REVISION_2 = activities_file(20, bump=1000, bad={7: {"tambon_code": "999999"}})


def deliver(landing: Path, name: str, data: bytes, night: dt.date) -> str:
    """Writes a file into the slot's folder with a delivery time (mtime) in `night`."""
    path = landing / SLOT_FOLDER / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stamp = dt.datetime.combine(night, dt.time(18, 30), BANGKOK_TZ).timestamp()
    os.utime(path, (stamp, stamp))
    return f"{SLOT_FOLDER}/{name}"


def run_night(stages: Stages, night: dt.date) -> list[LoadResult]:
    return [
        stages.load(
            "nightly", night, stages.validate("nightly", night, stages.extract("nightly", night, s))
        ).loaded
        for s in stages.discover("nightly", night)
    ]


def manifest(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            """select revision, source_key, status, rows_received, rows_loaded, rows_quarantined,
                      reject_reason_en, submission_id
               from ops.submission where province_code = %s and dataset = 'activities' and period = %s
               order by revision""",
            (PROVINCE, PERIOD),
        ).fetchall()


def raw_rows(url: str) -> dict[int, int]:
    with psycopg.connect(url) as conn:
        return dict(
            conn.execute(
                "select submission_id, count(*) from raw.activities group by 1 order by 1"
            ).fetchall()
        )


def marts_slot(url: str) -> dict:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """select activity_id, revision, submission_id, participants, budget_baht
               from marts.fct_activities where province_code = %s and period = %s order by activity_id""",
            (PROVINCE, PERIOD),
        ).fetchall()
    return {
        "ids": [r[0] for r in rows],
        "revisions": {r[1] for r in rows},
        "submissions": {r[2] for r in rows},
        "participants": sum(r[3] for r in rows),
        "budget": sum(r[4] for r in rows),
    }


def expected_marts(sent: Sent, submission_id: int, revision: int) -> dict:
    return {
        "ids": sorted(sent.accepted),
        "revisions": {revision},
        "submissions": {submission_id},
        "participants": sum(int(r["participants"]) for r in sent.accepted.values()),
        "budget": sum(int(r["budget_baht"]) for r in sent.accepted.values()),
    }


def quarantine(url: str) -> dict[tuple[int, str], str | None]:
    """(revision, activity id) -> resolution (None while the row is still open)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """select s.revision, q.record ->> 'activity_id', q.resolution
               from quarantine.row q join ops.submission s using (submission_id)"""
        ).fetchall()
    return {(revision, key): resolution for revision, key, resolution in rows}


@pytest.fixture(scope="module")
def history(warehouse, tmp_path_factory) -> dict:
    """Five nights of one slot, with what the warehouse showed after each."""
    settings = Settings.in_folder(tmp_path_factory.mktemp("var"), warehouse)
    landing = settings.landing_dir
    stages = Stages(warehouse, settings)
    seen: dict = {}

    first_key = deliver(landing, "กิจกรรม_นครราชสีมา_พย69.csv", REVISION_1.data, NIGHTS[0])
    seen["night 1"] = run_night(stages, NIGHTS[0])
    seen["manifest 1"] = manifest(warehouse)

    deliver(landing, "กิจกรรม_นครราชสีมา_พย69 (1).csv", REVISION_1.data, NIGHTS[1])
    seen["night 2"] = run_night(stages, NIGHTS[1])
    seen["manifest 2"] = manifest(warehouse)

    # The office corrects its file and saves it over the first one, under the same name.
    assert deliver(landing, "กิจกรรม_นครราชสีมา_พย69.csv", REVISION_2.data, NIGHTS[2]) == first_key
    seen["night 3"] = run_night(stages, NIGHTS[2])
    seen["manifest 3"] = manifest(warehouse)
    seen["raw 3"] = raw_rows(warehouse)
    seen["quarantine 3"] = quarantine(warehouse)
    build_marts(warehouse, settings)
    seen["marts 3"] = marts_slot(warehouse)

    # Then a spoilt file (random bytes), and a readable file the suite rejects (a duplicate key).
    deliver(landing, "กิจกรรม_นครราชสีมา_พย69_แก้ไข.csv", random.Random(3).randbytes(3000), NIGHTS[3])
    seen["night 4"] = run_night(stages, NIGHTS[3])
    duplicate = REVISION_2.data + REVISION_2.data.split(b"\r\n")[1] + b"\r\n"
    deliver(landing, "กิจกรรม_นครราชสีมา_พย69_แก้ไข2.csv", duplicate, NIGHTS[4])
    seen["night 5"] = run_night(stages, NIGHTS[4])
    seen["manifest 5"] = manifest(warehouse)
    seen["raw 5"] = raw_rows(warehouse)
    seen["quarantine 5"] = quarantine(warehouse)
    build_marts(warehouse, settings)
    seen["marts 5"] = marts_slot(warehouse)
    seen["key"] = first_key
    return seen


def test_the_first_delivery_is_revision_1_and_loads(history):
    [(revision, key, status, received, loaded, quarantined, _, _)] = history["manifest 1"]
    assert (revision, key, status) == (1, history["key"], "loaded")
    assert (received, loaded, quarantined) == (30, len(REVISION_1.accepted), 30 - len(REVISION_1.accepted))
    assert [r.status for r in history["night 1"]] == ["loaded"]


def test_the_same_bytes_under_another_name_add_no_manifest_row(history):
    assert history["night 2"] == []
    assert history["manifest 2"] == history["manifest 1"]


def test_changed_bytes_for_the_same_slot_become_revision_2(history):
    assert [r.status for r in history["night 3"]] == ["loaded"]
    first, second = history["manifest 3"]
    assert first == history["manifest 1"][0]  # revision 1 stays as it was
    revision, key, status, received, loaded, quarantined, _, _ = second
    assert (revision, key, status) == (2, history["key"], "loaded")
    assert (received, loaded, quarantined) == (20, len(REVISION_2.accepted), 1)


def test_raw_keeps_the_rows_of_both_revisions(history):
    first, second = (row[-1] for row in history["manifest 3"])
    assert history["raw 3"] == {first: len(REVISION_1.accepted), second: len(REVISION_2.accepted)}


def test_the_marts_hold_only_the_accepted_rows_of_revision_2(history):
    second = history["manifest 3"][1][-1]
    assert history["marts 3"] == expected_marts(REVISION_2, second, 2)
    assert len(history["marts 3"]["ids"]) == 19


def test_rejected_later_revisions_do_not_replace_revision_2_in_the_marts(history):
    assert [r.status for r in history["night 4"] + history["night 5"]] == ["rejected", "rejected"]
    rows = history["manifest 5"]
    assert [(r[0], r[2]) for r in rows] == [(1, "loaded"), (2, "loaded"), (3, "rejected"), (4, "rejected")]
    assert rows[:2] == history["manifest 3"]
    assert rows[2][6].startswith(MESSAGES["corrupt_file"][1].split("(")[0])
    assert rows[3][6].startswith(MESSAGES["duplicate_keys"][1].split("(")[0]) and "A-0001" in rows[3][6]
    assert history["raw 5"] == history["raw 3"]  # nothing of the rejected files in raw
    assert history["marts 5"] == expected_marts(REVISION_2, rows[1][-1], 2)


def test_a_corrected_resubmission_releases_the_rows_it_fixes(history):
    assert history["quarantine 3"] == {
        (1, "A-0005"): "fixed",  # sent again with a readable number
        (1, "A-0012"): "fixed",  # sent again within its budget
        (1, "A-0026"): "superseded",  # not in revision 2 at all
        (2, "A-0008"): None,  # revision 2's own bad row stays open
    }


def test_rejected_revisions_release_nothing(history):
    assert history["quarantine 5"] == history["quarantine 3"]
