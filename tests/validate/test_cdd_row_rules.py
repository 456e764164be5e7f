"""CDD's own rules on a row (issue 12): a จปฐ. survey row must use its survey year's tool and
answer exactly that tool's items; a Khok Nong Na plot's size must fit its model (HLM, CLM); a
Khok Nong Na activity row fills only its activity's measures (contract v2: wages for hires,
activity 3; certified produce for the organic standard, activity 6)."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import geothai
import pytest

from thanrak.contract.bmn_tools import bmn_tools, tool_for_year
from thanrak.contract.declarations import load_contract
from thanrak.extract.frame import SOURCE_ROW, extract
from thanrak.validate.validation import REASONS, province_areas_from_geothai, validate

PROVINCE = "34"
TAMBON = sorted(s.code for d in geothai.districts(PROVINCE) for s in geothai.subdistricts(d.code))[0]


def _checked(dataset: str, rows: list[dict], period: str = "2026-11"):
    return _validated(dataset, rows, period)[0]


def _validated(dataset: str, rows: list[dict], period: str = "2026-11"):
    contract = load_contract(dataset)
    buffer = io.StringIO()
    out = csv.DictWriter(buffer, fieldnames=contract.column_names, lineterminator="\r\n")
    out.writeheader()
    out.writerows(rows)
    frame = extract(buffer.getvalue().encode("utf-8"), f"{dataset}.csv", contract).frame
    checked = validate(frame, contract, period=period, areas=province_areas_from_geothai(PROVINCE))
    reasons = {
        int(row): json.loads(found)
        for row, found in zip(checked.frame[SOURCE_ROW], checked.frame[REASONS], strict=True)
        if isinstance(found, str)
    }
    return reasons, checked


def _household(index: int, year: int, tool: str, items: int) -> dict:
    row = {
        "household_hash": hashlib.sha256(f"house-{index}".encode()).hexdigest(),
        "village_code": f"{TAMBON}01",
        "survey_year": str(year),
        "indicator_set": tool,
        "members": "4",
        "income_per_person_baht": "45000",
        "savings_baht": "",
        "household_income_baht": "180000",
    }
    row.update({f"indicator_{n:02d}": ("ผ่าน" if n <= items else "") for n in range(1, 39)})
    return row


def test_every_survey_year_of_the_contract_has_one_tool_or_none():
    contract = load_contract("bmn_households")
    years = range(int(contract.column("survey_year").min), 2571)
    assert tool_for_year(2565).code == "2560-64", "2565 is assigned to the 2560-64 tool (docs/glossary.md)"
    assert tool_for_year(2569).code == "2566-70"
    assert [tool_for_year(y).item_count for y in years] == [31] * 6 + [38] * 5
    assert {t.code: t.item_count for t in bmn_tools()} == {"2560-64": 31, "2566-70": 38}


def test_a_survey_row_on_another_years_tool_is_quarantined_with_both_years_named():
    reasons = _checked(
        "bmn_households",
        [
            _household(1, 2569, "2566-70", 38),  # row 2: right
            _household(2, 2569, "2560-64", 31),  # row 3: old tool in 2569
            _household(3, 2562, "2566-70", 38),  # row 4: new tool in 2562
            _household(4, 2565, "จปฐ. ปี 2560-2564 (31 ตัวชี้วัด)", 31),  # row 5: 2565 on 2560-64, by label
        ],
    )
    assert set(reasons) == {3, 4}
    [old] = reasons[3]
    assert old["rule"] == "tool_of_survey_year"
    assert old["value"] == {"indicator_set": "2560-64", "survey_year": "2569"}
    assert "2569" in old["message_th"] and "2566-70" in old["message_th"]
    assert old["message_en"] == (
        "indicator set '2560-64' is not the BMN tool of survey year 2569 (that year uses 2566-70)"
    )
    assert [r["rule"] for r in reasons[4]] == ["tool_of_survey_year"]
    assert "2560-64" in reasons[4][0]["message_en"]


def test_a_survey_row_must_answer_exactly_its_tools_items():
    short = _household(1, 2569, "2566-70", 31)
    beyond = _household(2, 2564, "2560-64", 33)
    gap = _household(3, 2569, "2566-70", 38)
    gap["indicator_05"] = ""
    reasons = _checked("bmn_households", [short, beyond, gap, _household(4, 2569, "2566-70", 38)])
    assert set(reasons) == {2, 3, 4}
    by_row = {row: found for row, [found] in reasons.items()}
    assert {r["rule"] for r in by_row.values()} == {"items_of_tool"}
    assert by_row[2]["value"] == {"indicator_set": "2566-70", "items_filled": 31}
    assert by_row[2]["message_en"] == (
        "31 indicators filled but tool '2566-70' has 38 (missing: 32-38; beyond the tool: -)"
    )
    assert "เกินข้อ 32-33" in by_row[3]["message_th"] and "ขาดข้อ -" in by_row[3]["message_th"]
    assert "missing: 5;" in by_row[4]["message_en"]


def _plot(index: int, model: str, rai: str) -> dict:
    return {
        "plot_id": f"P34-{index:04d}",
        "tambon_code": TAMBON,
        "plot_model": model,
        "area_rai": rai,
        "report_month": "11/2569",
        "progress_pct": "40",
        "workers_hired": "2",
        "wages_baht": "9000",
        "spend_baht": "20000",
        "produce_value_baht": "0",
    }


@pytest.mark.parametrize(
    ("model", "rai", "rule"),
    [
        ("HLM", "3", None),
        ("ครัวเรือนต้นแบบ (HLM)", "1", None),
        ("HLM", "12", "hlm_area"),
        ("HLM", "0.5", "hlm_area"),
        ("CLM", "10", None),
        ("CLM", "2", "clm_area"),
    ],
)
def test_a_plots_size_must_fit_its_model(model, rai, rule):
    reasons = _checked("knn_plot_progress", [_plot(1, model, rai)])
    found = [r["rule"] for r in reasons.get(2, [])]
    assert found == ([rule] if rule else [])
    if rule:
        [reason] = reasons[2]
        assert reason["value"]["area_rai"] == rai
        assert f"'{rai}'" in reason["message_th"] and "ไร่" in reason["message_th"]


def test_an_item_that_did_not_parse_is_reported_once_not_again_as_a_missing_item():
    row = _household(1, 2569, "2566-70", 38)
    row["indicator_07"] = "บางส่วน"
    reasons, checked = _validated("bmn_households", [row, _household(2, 2569, "2566-70", 31)])
    [reason] = reasons[2]
    assert (reason["rule"], reason["column"], reason["value"]) == ("not_a_flag", "indicator_07", "บางส่วน")
    # the data-quality count agrees with the reasons: only row 3 broke items_of_tool
    [items] = [r for r in checked.rule_results if r.rule == "items_of_tool"]
    assert items.failed_rows == 1


AMPHOE = f"{PROVINCE}01"


def _knn_activity(activity: str, group: str, wages: str = "", certified: str = "") -> dict:
    return {
        "amphoe_code": AMPHOE,
        "report_month": "พ.ย. 69",
        "activity": activity,
        "participant_group": group,
        "people": "12",
        "wages_baht": wages,
        "sites": "",
        "certified": certified,
        "spend_baht": "15,000",
    }


@pytest.mark.parametrize(
    ("row", "rules"),
    [
        (_knn_activity("3", "บัณฑิตจบใหม่", wages="108000"), []),
        (_knn_activity("การจ้างงานและสร้างรายได้รายเดือน", "farmer", wages=""), []),  # blank where it belongs
        (_knn_activity("6", "ประชาชนทั่วไป", certified="4"), []),
        (_knn_activity("1", "general", wages="9000"), ["wages_only_for_hires"]),
        (_knn_activity("กิจกรรมที่ 2", "general", certified="1"), ["certified_only_for_organic"]),
        # an activity not in the list is that rule's problem only, not also a wage in the wrong place
        (_knn_activity("9", "general", wages="9000"), ["not_in_code_list"]),
    ],
)
def test_a_khok_nong_na_activity_fills_only_its_own_measures(row, rules):
    reasons = _checked("knn_activities", [row])
    assert [r["rule"] for r in reasons.get(2, [])] == rules
    if rules and rules[0].endswith("only_for_hires"):
        [reason] = reasons[2]
        assert reason["value"] == {"wages_baht": "9000", "activity": "1"}
        assert "กิจกรรมที่ 3" in reason["message_th"] and "'9000'" in reason["message_th"]
        assert "activity 3" in reason["message_en"]
