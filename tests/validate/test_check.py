"""`thanrak check FILE`: the verdict a provincial officer gets before sending a file."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from thanrak.cli import main
from thanrak.demo.generator import generate_night

NIGHT = dt.date(2026, 11, 22)


def _one_file(tmp_path, xlsx_share=0, **options):
    generated = generate_night(
        tmp_path,
        NIGHT,
        provinces=["30"],
        datasets=("otop_sales",),
        scale=0.05,
        xlsx_share=xlsx_share,
        **options,
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


def test_a_file_outside_the_landing_layout_needs_its_slot_in_thai_and_english(tmp_path, capsys):
    path, _ = _one_file(tmp_path, defect_rate=0, file_defects=0)
    loose = tmp_path / "loose.csv"
    shutil.copy(path, loose)
    with pytest.raises(SystemExit) as exited:
        main(["check", str(loose), "--dataset", "otop_sales"])
    err = capsys.readouterr().err
    assert exited.value.code == 3
    assert "ใช้คำสั่งไม่ถูกต้อง / usage error" in err
    assert "ไฟล์ไม่ได้อยู่ในโฟลเดอร์" in err and "is not in a <province>/<dataset>/<YYYY-MM>/ folder" in err
    assert "--province --period" in err and "--dataset" not in err.split("usage error")[1]


def _moved(path, tmp_path, dataset):
    """The file put in the folder of another dataset, as an officer may do by mistake."""
    moved = tmp_path / "landing" / "30" / dataset / "2026-11" / path.name
    moved.parent.mkdir(parents=True)
    shutil.copy(path, moved)
    return moved


@pytest.mark.parametrize(
    ("xlsx_share", "where"),
    [
        (0, "folder"),  # one header of OTOP sales is one of activities too: columns missing
        (0, "option"),  # none of OTOP sales' headers is a household survey's: no known header
        (1, "option"),  # a workbook: no sheet has the survey's headers
    ],
)
def test_a_file_of_another_dataset_names_that_dataset_and_where_it_belongs(
    tmp_path, capsys, xlsx_share, where
):
    path, _ = _one_file(tmp_path, xlsx_share=xlsx_share, defect_rate=0, file_defects=0)
    if where == "folder":
        code, meant = main(["check", str(_moved(path, tmp_path, "activities"))]), "activities"
    else:
        option = ["--dataset", "bmn_households", "--province", "30", "--period", "2026-11"]
        code, meant = main(["check", str(path), *option]), "bmn_households"
    out = capsys.readouterr().out
    assert code == 2 and "REJECTED" in out
    assert "หัวตารางของไฟล์นี้ตรงกับชุดข้อมูล otop_sales (ยอดจำหน่ายผลิตภัณฑ์ OTOP)" in out
    assert "The file's headers are those of dataset otop_sales (OTOP sales)" in out
    assert f"not {meant} (" in out
    assert "--dataset otop_sales" in out and "30/otop_sales/2026-11/" in out
    assert "Required columns are missing" not in out and "damaged" not in out


def test_a_file_missing_a_column_of_its_own_dataset_still_lists_the_missing_column(tmp_path, capsys):
    path, _ = _one_file(tmp_path, defect_rate=0, file_defects=0)
    cut = tmp_path / "30" / "otop_sales" / "2026-11" / "cut.csv"
    cut.parent.mkdir(parents=True, exist_ok=True)  # the first column (the producer's id) left out
    cut.write_bytes(b"\r\n".join(line.split(b",", 1)[-1] for line in path.read_bytes().split(b"\r\n")))
    assert main(["check", str(cut)]) == 2
    out = capsys.readouterr().out
    assert "Required columns are missing" in out and "headers are those of dataset" not in out


V2_DATASETS = ("smart_tambon", "pracharath_meetings", "pracharath_projects", "knn_activities", "otop_ratings")


def _v2_file(tmp_path, dataset, **options):
    """Province 34's file of a contract v2 dataset, of a month it reports (OPC results: its
    results month of round 2569)."""
    from thanrak.demo.entities import opc_results_month

    night = dt.date(2026, opc_results_month("34"), 22) if dataset == "otop_ratings" else NIGHT
    generated = generate_night(
        tmp_path, night, provinces=["34"], datasets=(dataset,), scale=1.0, xlsx_share=0, **options
    )
    return tmp_path / generated.files[0], generated


@pytest.mark.parametrize("dataset", V2_DATASETS)
def test_a_contract_v2_file_is_checked_like_the_first_five(tmp_path, capsys, dataset):
    clean, _ = _v2_file(tmp_path / "clean", dataset, defect_rate=0, file_defects=0)
    assert main(["check", str(clean)]) == 0
    assert "ACCEPTED" in capsys.readouterr().out
    # a half: Pracharath meetings are two rows a month in this province
    spoilt, generated = _v2_file(tmp_path / "spoilt", dataset, defect_rate=0.5, file_defects=0)
    assert generated.defects, dataset
    assert main(["check", str(spoilt)]) == 1
    out = capsys.readouterr().out
    assert "SOME ROWS WOULD BE QUARANTINED" in out
    for defect in generated.defects:
        assert f"แถว/row {defect.source_row}:" in out


def test_opc_results_in_the_otop_sales_folder_name_the_ratings_dataset(tmp_path, capsys):
    path, _ = _v2_file(tmp_path, "otop_ratings", defect_rate=0, file_defects=0)
    period = path.parent.name
    moved = tmp_path / "landing" / "34" / "otop_sales" / period / path.name
    moved.parent.mkdir(parents=True)
    shutil.copy(path, moved)
    assert main(["check", str(moved)]) == 2
    out = capsys.readouterr().out
    assert "หัวตารางของไฟล์นี้ตรงกับชุดข้อมูล otop_ratings" in out
    assert "--dataset otop_ratings" in out and f"34/otop_ratings/{period}/" in out


def test_a_file_far_from_the_provinces_usual_rows_gets_a_warning_and_keeps_its_verdict(tmp_path, capsys):
    """With a night's usual-volumes.json: a third of the usual rows (the wrong month exported, or
    one amphoe's) is warned of in Thai and English; the usual number is not."""
    path, generated = _one_file(tmp_path, defect_rate=0, file_defects=0)
    rows = generated.rows["otop_sales"]
    usual = tmp_path / "usual-volumes.json"
    for usual_rows, warned in ((rows * 3, True), (rows, False)):
        slot = {"periods": [f"2026-{m:02d}" for m in range(10, 4, -1)], "rows": [usual_rows] * 6}
        usual.write_text(json.dumps({"method": "robust_z", "slots": {"30": {"otop_sales": slot}}}))
        assert main(["check", str(path), "--usual-volumes", str(usual)]) == 0
        out = capsys.readouterr().out
        assert "ACCEPTED" in out
        assert ("คำเตือน / WARNING" in out) == warned
        if warned:
            assert f"ไฟล์นี้มี {rows:,} แถว" in out and "น้อยกว่าปกติมาก" in out
            assert "far fewer than usual" in out and "the right month" in out


def test_a_missing_usual_volumes_file_is_a_usage_error(tmp_path, capsys):
    path, _ = _one_file(tmp_path, defect_rate=0, file_defects=0)
    with pytest.raises(SystemExit) as exited:
        main(["check", str(path), "--usual-volumes", str(tmp_path / "none.json")])
    assert exited.value.code == 3
    assert "ไม่พบไฟล์ / no such file" in capsys.readouterr().err
