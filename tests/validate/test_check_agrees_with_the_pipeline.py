"""`thanrak check` and the nightly pipeline give one verdict (issue 11, defect 8): the slot
verdict is the same function, an odd period is a verdict and not a traceback, and the exit codes
say what happened: 0 accepted, 1 rows quarantined, 2 rejected, 3 usage error, 4 internal error."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import psycopg
import pytest

from thanrak.cli import main
from thanrak.demo.generator import generate_night
from thanrak.pipeline import Stages
from thanrak.settings import Settings

NIGHT = dt.date(2026, 11, 22)


def _clean_file(tmp_path):
    options = {"scale": 0.05, "xlsx_share": 0, "defect_rate": 0, "file_defects": 0}
    generated = generate_night(
        tmp_path / "made", NIGHT, provinces=["30"], datasets=("otop_sales",), **options
    )
    return tmp_path / "made" / generated.files[0]


def test_a_bangkok_file_is_rejected_by_both_with_the_same_reason(warehouse, tmp_path, capsys):
    made = _clean_file(tmp_path)
    settings = Settings.in_folder(tmp_path / "var", warehouse)
    bangkok = settings.landing_dir / "10" / "otop_sales" / "2026-11" / made.name
    bangkok.parent.mkdir(parents=True)
    shutil.copy(made, bangkok)
    stamp = dt.datetime.combine(NIGHT, dt.time(12), dt.UTC).timestamp()
    os.utime(bangkok, (stamp, stamp))
    Stages(warehouse, settings).discover("test", NIGHT)
    with psycopg.connect(warehouse) as conn:
        status, reason_en = conn.execute(
            "select status, reject_reason_en from ops.submission where province_code = '10'"
        ).fetchone()

    assert main(["check", str(bangkok)]) == 2
    out = capsys.readouterr().out
    assert status == "rejected" and reason_en in out and "REJECTED" in out


@pytest.mark.parametrize("period", ["11/2569", "2026-13", "พ.ย. 69"])
def test_a_period_that_is_not_a_month_folder_is_a_verdict_not_a_traceback(tmp_path, capsys, period):
    made = _clean_file(tmp_path)
    code = main(["check", str(made), "--dataset", "otop_sales", "--province", "30", "--period", period])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.out + captured.err
    assert period in captured.out and "<YYYY-MM>" in captured.out


def test_usage_errors_exit_3_in_thai_and_english(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["check", str(tmp_path / "missing.csv")])
    assert exited.value.code == 3
    err = capsys.readouterr().err
    assert "ไม่พบไฟล์" in err and "no such file" in err


def test_a_crash_is_exit_4_with_words_and_no_traceback(tmp_path, capsys, monkeypatch):
    made = _clean_file(tmp_path)

    def broken(*args, **kwargs):
        raise ValueError("a bug met while checking")

    monkeypatch.setattr("thanrak.validate.check.check_file", broken)
    assert (
        main(["check", str(made), "--dataset", "otop_sales", "--province", "30", "--period", "2026-11"]) == 4
    )
    captured = capsys.readouterr()
    assert "internal error" in captured.err and "a bug met while checking" in captured.err
    assert "Traceback" not in captured.out + captured.err
