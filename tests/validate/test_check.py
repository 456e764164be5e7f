"""`thanrak check FILE`: the verdict a provincial officer gets before sending a file."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from thanrak.cli import main
from thanrak.demo.generator import generate_night

NIGHT = dt.date(2026, 11, 22)


def _one_file(tmp_path, **options):
    generated = generate_night(
        tmp_path, NIGHT, provinces=["30"], datasets=("otop_sales",), scale=0.05, xlsx_share=0, **options
    )
    return tmp_path / generated.files[0], generated


def test_a_good_file_is_accepted(tmp_path, capsys):
    path, _ = _one_file(tmp_path, defect_rate=0, file_defects=0)
    assert main(["check", str(path)]) == 0
    assert "ACCEPTED" in capsys.readouterr().out


def test_bad_rows_are_listed_with_their_row_numbers_in_thai_and_english(tmp_path, capsys):
    path, generated = _one_file(tmp_path, defect_rate=0.2, file_defects=0)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "SOME ROWS WOULD BE QUARANTINED" in out
    for defect in generated.defects:
        assert f"แถว/row {defect.source_row}:" in out
    assert "ไม่" in out and "is" in out


def test_a_file_that_would_be_rejected_says_so_and_why(tmp_path, capsys):
    path, _ = _one_file(tmp_path, defect_rate=0, file_defects=0)
    lines = path.read_bytes().split(b"\r\n")
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes(b"\r\n".join([lines[0], lines[1], lines[1]]))  # a repeated key
    assert (
        main(["check", str(outside), "--dataset", "otop_sales", "--province", "30", "--period", "2026-11"])
        == 2
    )
    out = capsys.readouterr().out
    assert "REJECTED" in out and "มีรหัสซ้ำ" in out and "repeats keys" in out


def test_a_file_outside_the_landing_layout_needs_its_slot(tmp_path):
    path, _ = _one_file(tmp_path, defect_rate=0, file_defects=0)
    loose = tmp_path / "loose.csv"
    shutil.copy(path, loose)
    with pytest.raises(SystemExit):
        main(["check", str(loose)])
