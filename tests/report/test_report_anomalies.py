"""The planners' report lists the night's unusual deliveries (section "ผิดปกติในคืนนี้ · Unusual
this night"): most unusual first, each check in the words of thanrak.observe.words with a small
chart of its measure's recent periods; one line when nothing was unusual; at most 20 files with
how many more, all of them in a CSV; and the night's Markdown summary lists them too.

Three provinces send OTOP sales and activities from June to October 2026, then every dataset in
November, each night observed as the DAG's observe_deliveries does. In November province 30's
OTOP file has every product herbal at 4 M baht a row, and province 40's activities file keeps one
row: thanrak.observe flags both."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re

import psycopg
import pytest
from test_report_html import CHROMIUM, _render

from support.nights import ingest_night
from thanrak.contract.declarations import DATASETS
from thanrak.demo import entities
from thanrak.demo.generator import generate_night
from thanrak.observe.night import observe_night
from thanrak.observe.words import value_text
from thanrak.pipeline import Stages
from thanrak.report.html_report import UNUSUAL_FILES, gather, write_html_report
from thanrak.report.summary import night_anomalies, night_summary, write_report
from thanrak.settings import Settings
from thanrak.transform.dbt_build import run_dbt

PROVINCES = ["30", "40", "50"]
HISTORY = [dt.date(2026, month, 20) for month in range(6, 11)]
NIGHT = dt.date(2026, 11, 22)
OPTIONS = dict(provinces=PROVINCES, scale=0.1, file_defects=0, defect_rate=0, xlsx_share=0)
# What the data-quality page reads, and the two marts of unusual deliveries (cautious: without the
# tests of the facts, which are not built here).
SELECT = [
    "+fct_dq_anomalies", "+fct_dq_slot_metrics", "+fct_dq_completeness", "+fct_dq_rule_results",
    "+fct_dq_deliveries", "+dim_submission", "+provinces", "--indirect-selection", "cautious",
]  # fmt: skip
ORIGINAL_SALES = entities.REPORTED["otop_sales"]


def spoilt_sales(seed: int, province: str, month: dt.date, scale: float) -> list[dict]:
    """Province 30's November: every product herbal (non-food), at 4 M baht a row."""
    rows = ORIGINAL_SALES(seed, province, month, scale)
    if province != "30" or month != NIGHT.replace(day=1):
        return rows
    herbal = next(
        code for code in entities.code_lists()["product_category"] if code.code == "herbal_non_food"
    )
    return [{**row, "product_category": herbal, "revenue_baht": 4_000_000} for row in rows]


def section(page: str) -> str:
    start = page.index("<section id='unusual'>")
    return page[start : page.index("</section>", start)]


def write_pages(url: str, night: dt.date, folder) -> dict:
    """The night's report.html and night-report.md into folder; the night's unusual checks."""
    with psycopg.connect(url) as conn:
        write_html_report(gather(conn, night), folder)
        write_report(night_summary(conn, night), folder)
        return {"anomalies": night_anomalies(conn, night)}


@pytest.fixture(scope="module")
def nights(warehouse, tmp_path_factory):
    settings = Settings.in_folder(tmp_path_factory.mktemp("var"), warehouse)
    stages = Stages(warehouse, settings)
    regions = settings.dbt_project_dir / "seeds" / "province_regions.csv"
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(entities.REPORTED, "otop_sales", spoilt_sales)
        for night in [*HISTORY, NIGHT]:
            datasets = ("otop_sales", "activities") if night < NIGHT else DATASETS
            generated = generate_night(settings.landing_dir, night, datasets=datasets, **OPTIONS)
            if night == NIGHT:  # province 40's activities: the header and one row
                path = settings.landing_dir / next(
                    k for k in generated.files if k.startswith("40/activities/")
                )
                delivered = path.stat().st_mtime
                path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:2]))
                os.utime(path, (delivered, delivered))  # still the night's delivery
            ingest_night(stages, night)
            with psycopg.connect(warehouse, autocommit=True) as conn:
                observe_night(conn, night, regions)
    outcome = run_dbt(warehouse, ["build", "--select", *SELECT], settings)
    assert outcome.success, outcome.failures
    folders = {name: tmp_path_factory.mktemp(name) for name in ("night", "quiet")}
    written = write_pages(warehouse, NIGHT, folders["night"])
    write_pages(warehouse, HISTORY[0], folders["quiet"])  # nothing judged: no history yet
    return {"url": warehouse, "settings": settings, "folders": folders, **written}


def articles(page: str) -> list[str]:
    return re.findall(r"<article class='lvl-\w+'>.*?</article>", section(page), flags=re.S)


def test_the_section_lists_the_nights_unusual_files_most_unusual_first(nights):
    page = (nights["folders"]["night"] / "report.html").read_text(encoding="utf-8")
    files = list(dict.fromkeys(a["submission_id"] for a in nights["anomalies"]))
    shown = articles(page)
    assert 2 <= len(shown) == min(len(files), UNUSUAL_FILES)
    order = {"high": 3, "medium": 2, "low": 1}
    levels = [order[re.match(r"<article class='lvl-(\w+)'>", a)[1]] for a in shown]
    assert levels == sorted(levels, reverse=True)
    assert page.index("<section id='unusual'>") > page.index("รายจังหวัด: สิ่งที่ต้องแจ้งกลับสำนักงานจังหวัด")
    assert "ผิดปกติในคืนนี้ <small>Unusual this night" in page


def test_the_spoilt_sales_file_reads_in_words_and_numbers(nights):
    """Names, not codes; the total with thousands separators against its usual range; the
    category that moved with its share in the file and its usual share, in per cent."""
    page = (nights["folders"]["night"] / "report.html").read_text(encoding="utf-8")
    spoilt = next(a for a in articles(page) if "30 นครราชสีมา" in a and "ยอดจำหน่ายผลิตภัณฑ์ OTOP" in a)
    facts = {
        a["check"]: a for a in nights["anomalies"] if a["province"] == "30" and a["dataset"] == "otop_sales"
    }
    revenue = facts["sum:revenue_baht"]
    low, high = (value_text("sum:revenue_baht", revenue[k]) for k in ("expected_low", "expected_high"))
    assert "," in value_text("sum:revenue_baht", revenue["observed"])
    assert (
        f"{value_text('sum:revenue_baht', revenue['observed'])} · ปกติ {low}–{high} <b>สูงกว่าปกติ</b>" in spoilt
    )
    assert "<b>ยอดรวม: ยอดจำหน่าย (บาท)</b> <small>· Total: Revenue (baht)</small>" in spoilt
    usual = facts["code_shift:product_category"]["detail"]["usual_share"]
    assert f"สมุนไพรที่ไม่ใช่อาหาร 100% · ปกติ {usual:.0%} <b>สัดส่วนรหัสเปลี่ยนไปจากปกติ</b>" in spoilt
    assert f"Herbal products (non-food) 100%, usually {usual:.0%}: code shares changed" in spoilt
    assert "งวด พฤศจิกายน 2569 <small>period 2026-11" in spoilt
    assert re.search(r"เทียบกับ(ประวัติของจังหวัดเอง|เดือนเดียวกันของปีก่อน ๆ|จังหวัดอื่นในภาคเดียวกัน) \(\d+ ", spoilt)


def test_the_short_activities_file_is_lower_than_usual(nights):
    page = (nights["folders"]["night"] / "report.html").read_text(encoding="utf-8")
    short = next(a for a in articles(page) if "40 ขอนแก่น" in a and "กิจกรรมขับเคลื่อนเศรษฐกิจฐานราก" in a)
    assert re.search(
        r"<b>จำนวนแถว</b> <small>· Rows</small><br>\n1 · ปกติ [0-9,]+–[0-9,]+ <b>ต่ำกว่าปกติ</b>", short
    )


def test_each_check_has_its_small_chart_of_recent_periods(nights):
    """A chart per check. The spoilt file's total: the periods before the night's file (June to
    October), then the file itself, marked; the usual range as a band."""
    page = (nights["folders"]["night"] / "report.html").read_text(encoding="utf-8")
    specs = re.findall(r"class='chart-spec' data-for='unusual-[\d-]+'", page)
    assert len(specs) == sum(a.count("<div class='check'>") for a in articles(page)) >= 3
    spoilt = next(a for a in articles(page) if "30 นครราชสีมา" in a and "ยอดจำหน่ายผลิตภัณฑ์ OTOP" in a)
    total = spoilt[spoilt.index("<b>ยอดรวม: ยอดจำหน่าย (บาท)</b>") :]
    spec = json.loads(re.search(r"class='chart-spec' data-for='unusual-[\d-]+'>(.*?)</script>", total)[1])
    values = spec["data"]["values"]
    assert [v["period"] for v in values] == ["มิ.ย. 69", "ก.ค. 69", "ส.ค. 69", "ก.ย. 69", "ต.ค. 69", "พ.ย. 69"]
    assert [v["now"] for v in values] == [False] * 5 + [True]
    revenue = next(
        a for a in nights["anomalies"] if a["province"] == "30" and a["check"] == "sum:revenue_baht"
    )
    assert values[-1]["value"] == revenue["observed"]
    band = spec["layer"][0]["encoding"]
    assert (band["y"]["datum"], band["y2"]["datum"]) == (revenue["expected_low"], revenue["expected_high"])


def test_nothing_unusual_is_one_line_and_no_download(nights):
    folder = nights["folders"]["quiet"]
    found = section((folder / "report.html").read_text(encoding="utf-8"))
    assert "<p>ไม่พบสิ่งผิดปกติ · nothing unusual</p>" in found and "<article" not in found
    assert not (folder / "unusual.csv").exists()
    assert "## ผิดปกติในคืนนี้ / Unusual this night\n\n- ไม่พบสิ่งผิดปกติ / nothing unusual\n" in (
        folder / "night-report.md"
    ).read_text(encoding="utf-8")


def test_the_night_summary_lists_the_unusual_checks_thai_first(nights):
    folder = nights["folders"]["night"]
    markdown = (folder / "night-report.md").read_text(encoding="utf-8")
    listed = markdown.split("## ผิดปกติในคืนนี้ / Unusual this night\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(listed) == min(len(nights["anomalies"]), 20) + (len(nights["anomalies"]) > 20)
    assert listed[0].startswith("- ") and re.match(r"- [\u0e00-\u0e7f]", listed[0])
    assert any("ยอดรวม: ยอดจำหน่าย (บาท)" in line and "Total: Revenue (baht)" in line for line in listed)


def test_the_csv_holds_every_unusual_check_of_the_night(nights):
    rows = list(
        csv.reader((nights["folders"]["night"] / "unusual.csv").read_text(encoding="utf-8-sig").splitlines())
    )
    header = rows[0]
    assert header[:2] == ["ผลการตรวจ / finding (Thai)", "ผลการตรวจ (อังกฤษ) / finding"]
    province, check = header.index("รหัสจังหวัด / province code"), header.index("การตรวจ / check")
    assert sorted((r[province], r[check]) for r in rows[1:]) == sorted(
        (a["province"], a["check"]) for a in nights["anomalies"]
    )


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_the_section_renders_its_charts_in_chromium(nights, tmp_path):
    page = nights["folders"]["night"] / "report.html"
    charts = page.read_text(encoding="utf-8").count("class='chart-spec'")
    dom = _render(page, tmp_path, "unusual")
    assert 'data-ready="yes"' in dom and f'data-charts="{charts}"' in dom  # the trend and every small chart
    starts = [m.start() for m in re.finditer(r'id="unusual-[\d-]+"', dom)]
    assert len(starts) == charts - 1
    for start, end in zip(starts, [*starts[1:], len(dom)], strict=True):
        assert "<svg" in dom[start:end], dom[start : start + 40]


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_nothing_unusual_renders_in_chromium(nights, tmp_path):
    dom = _render(nights["folders"]["quiet"] / "report.html", tmp_path, "quiet")
    assert 'data-ready="yes"' in dom and "ไม่พบสิ่งผิดปกติ · nothing unusual" in dom


def test_more_than_twenty_files_say_how_many_more_and_the_csv_has_them_all(nights, tmp_path):
    """Every other file of the night made unusual by hand (rows lower): the page shows 20 and
    says how many files and checks more; the CSV lists every check."""
    url = nights["url"]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            """insert into dq.anomaly (submission_id, check_name, observed, expected, expected_low,
                   expected_high, score, direction, level, baseline, history_periods)
               select submission_id, 'rows', 1, 100, 80, 120, -4, 'lower', 'low', 'peers', 4
               from ops.submission where night = %s and status = 'loaded'
               on conflict do nothing""",
            (NIGHT,),
        )
    outcome = run_dbt(url, ["run", "--select", "fct_dq_anomalies"], nights["settings"])
    assert outcome.success, outcome.failures
    written = write_pages(url, NIGHT, tmp_path)
    files = len({a["submission_id"] for a in written["anomalies"]})
    checks = len(written["anomalies"])
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    shown = articles(page)
    assert files > UNUSUAL_FILES and len(shown) == UNUSUAL_FILES
    hidden = checks - sum(a.count("<div class='check'>") for a in shown)
    assert f"และอีก {files - UNUSUAL_FILES:,} ไฟล์ ({hidden:,} รายการ)" in section(page)
    rows = list(csv.reader((tmp_path / "unusual.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == 1 + checks
