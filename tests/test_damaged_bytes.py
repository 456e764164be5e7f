"""Issue 11, defect 1, through the real pipeline: a NUL byte in a text cell past the first 4 KiB
used to pass extraction and break PostgreSQL's COPY, leaving the file pending for ever. Now
every such file ends the night with a verdict: its NUL rows quarantined (the rest loaded), or
the file rejected with a reason when it is damaged as a whole; no NUL reaches a table."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os

import psycopg
import pytest

from thanrak.contract.declarations import load_contract
from thanrak.demo.generator import example_csv
from thanrak.nights import BANGKOK_TZ
from thanrak.pipeline import Stages
from thanrak.settings import Settings

NIGHT = dt.date(2026, 11, 22)  # example_csv writes rows of province 30 for November 2569


def _with_nuls(rows: int, nul_rows: dict[int, str], dataset: str = "budget_disbursement") -> bytes:
    """A clean file with a control character inside the second cell of some lines (1-based):
    the project name, free text, in a budget file."""
    lines = example_csv(load_contract(dataset), rows=rows).split("\n")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for number, line in enumerate(lines, 1):
        cells = next(csv.reader([line]))
        if number in nul_rows:
            cells[1] = cells[1][:3] + nul_rows[number] + cells[1][3:]
        writer.writerow(cells)
    return out.getvalue().encode()


def _deliver(settings: Settings, key: str, data: bytes) -> None:
    path = settings.landing_dir / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stamp = dt.datetime.combine(NIGHT, dt.time(19, 0), BANGKOK_TZ).timestamp()
    os.utime(path, (stamp, stamp))


@pytest.fixture(scope="module")
def night(warehouse, tmp_path_factory):
    settings = Settings.in_folder(tmp_path_factory.mktemp("var"))
    sporadic = _with_nuls(80, {60: "\x00", 61: "\x00\x00", 75: "\x01"})
    assert sporadic.index(b"\x00") > 4096  # past what the old check looked at
    damaged = _with_nuls(80, {}, "knn_plot_progress")
    damaged = damaged[:5000] + bytes(8192) + damaged[5000:]  # a zero-filled block
    _deliver(settings, "30/budget_disbursement/2026-11/budget_nul.csv", sporadic)
    _deliver(settings, "30/knn_plot_progress/2026-11/knn_damaged.csv", damaged)
    stages = Stages(warehouse, settings)
    results = [
        stages.load("test", NIGHT, stages.validate("test", NIGHT, stages.extract("test", NIGHT, item)))
        for item in stages.discover("test", NIGHT)
    ]
    assert len(results) == 2
    return results


def _submission(url: str, key: str) -> tuple:
    with psycopg.connect(url) as conn:
        return conn.execute(
            """select submission_id, status, rows_received, rows_loaded, rows_quarantined,
                      reject_reason_th, reject_reason_en
               from ops.submission where source_key = %s""",
            (key,),
        ).fetchone()


def test_nul_rows_are_quarantined_and_the_rest_of_the_file_loads(night, warehouse):
    submission_id, status, received, loaded, quarantined, _, _ = _submission(
        warehouse, "30/budget_disbursement/2026-11/budget_nul.csv"
    )
    assert status == "loaded"
    assert received == 80 and quarantined == 3 and loaded == 77
    assert received == loaded + quarantined
    with psycopg.connect(warehouse) as conn:
        held = conn.execute(
            """select source_row, record ->> 'project_name', reasons from quarantine.row
               where submission_id = %s order by source_row""",
            (submission_id,),
        ).fetchall()
        in_raw = conn.execute(
            "select count(*), count(*) filter (where project_name ~ '[␀-␟]') from raw.budget_disbursement "
            "where submission_id = %s",
            (submission_id,),
        ).fetchone()
    assert [row for row, _, _ in held] == [60, 61, 75]
    assert held[0][1][3] == "␀" and held[1][1][3:5] == "␀␀" and held[2][1][3] == "␁"
    for _, _, reasons in held:
        assert "control_character" in {r["rule"] for r in reasons}
        assert all(r["message_th"] and r["message_en"] for r in reasons)
    assert in_raw == (77, 0)


def test_a_file_with_a_zero_filled_block_is_rejected_with_a_reason_not_left_pending(night, warehouse):
    _, status, received, loaded, quarantined, th, en = _submission(
        warehouse, "30/knn_plot_progress/2026-11/knn_damaged.csv"
    )
    assert status == "rejected"
    assert (loaded, quarantined) == (0, 0)
    assert "NUL" in en and "CSV UTF-8" in en and "NUL" in th
    assert received in (0, None)


def test_nothing_of_the_night_is_left_pending(night, warehouse):
    with psycopg.connect(warehouse) as conn:
        pending = conn.execute("select count(*) from ops.submission where status = 'discovered'").fetchone()[
            0
        ]
    assert pending == 0
