"""The planners' report: one self-contained page that renders offline in a real browser."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
import subprocess

import openpyxl
import psycopg
import pytest

from thanrak.contract.declarations import DATASETS, load_contract
from thanrak.demo.generator import generate_night
from thanrak.nights import BANGKOK_TZ, night_cutoff
from thanrak.pipeline import Stages
from thanrak.report.downloads import shown_value
from thanrak.settings import PROJECT_ROOT, Settings
from thanrak.validate.data_docs import remote_resources

NIGHT = dt.date(2026, 11, 22)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--enable-logging=stderr", "--v=0",
    "--virtual-time-budget=20000",  # the charts are drawn after the page has loaded
]  # fmt: skip


@pytest.fixture(scope="module")
def report(warehouse, tmp_path_factory):
    settings = Settings.in_folder(tmp_path_factory.mktemp("var"), warehouse)
    generated = generate_night(
        settings.landing_dir, NIGHT, provinces=["30", "40", "50"], scale=0.1, defect_rate=0.05, file_defects=2
    )
    # One office sends the same file twice, the second time later under another name.
    spoilt = {d.path for d in generated.defects if d.source_row is None}
    first = settings.landing_dir / next(f for f in generated.files if f not in spoilt)
    copy = first.with_name(f"copy of {first.name}")
    shutil.copy(first, copy)
    # (an hour later, or just before the night's cut-off: after it, the copy is the next night's)
    later = min(first.stat().st_mtime + 3600, night_cutoff(NIGHT).timestamp() - 60)
    os.utime(copy, (later, later))
    # One office sends its October files on 15 November, after their due date (10 November).
    october = generate_night(
        settings.landing_dir,
        dt.date(2026, 10, 20),
        provinces=["30"],
        defect_rate=0,
        file_defects=0,
        scale=0.05,
    )
    after_due = dt.datetime(2026, 11, 15, 12, 0, tzinfo=BANGKOK_TZ).timestamp()
    for relative in october.files:
        os.utime(settings.landing_dir / relative, (after_due, after_due))
    stages = Stages(warehouse, settings)
    for batch in stages.discover_by_province("test", NIGHT):
        stages.process_batch("test", NIGHT, batch)
    stages.build_marts("test", NIGHT)
    stages.build_data_docs("test", NIGHT)
    stages.write_report("test", NIGHT)
    return settings.reports_dir / NIGHT.isoformat()


def _cards(page: str) -> dict[str, int]:
    return {
        en: int(value.replace(",", ""))
        for value, en in re.findall(
            r"<div class='card[^']*'><b>([0-9,]+)</b><span>[^<]*<br><small>([^<]*)</small>", page
        )
    }


def test_the_cards_add_up_and_count_slots_revisions_and_redeliveries_apart(report, warehouse):
    cards = _cards((report / "report.html").read_text(encoding="utf-8"))
    assert cards["rows received"] == (
        cards["rows loaded"] + cards["rows quarantined"] + cards["rows in rejected files"]
    )
    assert cards["rows in rejected files"] > 0  # a spoilt file was readable, and its rows count
    assert cards["files received (revisions)"] == cards["files loaded"] + cards["files rejected"]
    assert cards["re-deliveries of the same file, not loaded again"] == 1
    with psycopg.connect(warehouse) as conn:
        (slots,) = conn.execute(
            "select count(distinct (province_code, dataset, period)) from ops.submission where night = %s",
            (NIGHT,),
        ).fetchone()
    assert cards["slots delivered (province × dataset × month)"] == slots


def test_the_rules_chart_shows_no_row_placeholders(report):
    """A rule's message is written for one row ("{filled} items of {expected}"); the chart adds up rows."""
    page = (report / "report.html").read_text(encoding="utf-8")
    chart = page[
        page.index("<table class='bars'>") : page.index("</table>", page.index("<table class='bars'>"))
    ]
    assert chart.count("<tr>") >= 3 and not re.search(r"\{\w+\}", chart)
    labels = re.findall(r"<td class='label'>([^<]*)</td>", chart)
    assert labels and not [label for label in labels if re.search(r"\b[a-z]+(_[a-z]+)+\b", label)]  # no codes


def test_the_page_needs_nothing_from_the_network(report):
    page = (report / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=['"]?(https?:)?//""", page)
    assert "@import" not in page


def _table(page: str, table_id: str) -> str:
    start = page.index(f"<table id='{table_id}'")
    return page[start : page.index("</table>", start)]


def _cells(matrix: str) -> dict[str, list[str]]:
    """Province code -> the statuses of its cells, one per dataset."""
    cells: dict[str, list[str]] = {}
    for status, code in re.findall(r"<td class='cell (\w+)' title='(\d\d) ", matrix):
        cells.setdefault(code, []).append(status)
    return cells


def test_the_matrix_lists_76_provinces_by_region_with_every_dataset(report):
    page = (report / "report.html").read_text(encoding="utf-8")
    for table_id in ("matrix", "matrix-previous"):
        matrix = _table(page, table_id)
        assert matrix.count("<th class='dataset'>") == len(DATASETS)
        assert matrix.count("<tr><th class='province-name'>") == 76
        assert matrix.count("<td class='cell ") == 76 * len(DATASETS)
        assert "10" not in _cells(matrix)  # Bangkok is not in the CDD network
        regions = re.findall(rf"<th class='region' colspan='{len(DATASETS) + 1}'>([^<]+) <small>", matrix)
        assert len(regions) == 6 and "ภาคตะวันออกเฉียงเหนือ" in regions  # six regions, Thai first
        assert "30 นครราชสีมา <small>Nakhon Ratchasima</small>" in matrix  # names, not bare codes


def test_the_matrix_judges_each_month_against_its_due_date(report):
    """November's files (due 10 December) came on time or are not due yet; October's (due 10
    November) came late from the office that sent them on 15 November, and are missing elsewhere.
    Nothing is late or missing in November: it is not due yet."""
    page = (report / "report.html").read_text(encoding="utf-8")
    november, october = _cells(_table(page, "matrix")), _cells(_table(page, "matrix-previous"))
    for code in ("30", "40", "50"):  # a spoilt file may be rejected, or sit in another province's folder
        assert november[code].count("on_time") >= 3 and set(november[code]) <= {
            "on_time",
            "rejected",
            "not_yet_due",
            "no_file_due",
        }
    elsewhere = {s for code, statuses in november.items() if code not in ("30", "40", "50") for s in statuses}
    # a file in a wrong folder; OPC results are due only where a round's results were announced
    assert "not_yet_due" in elsewhere and elsewhere <= {"not_yet_due", "rejected", "no_file_due"}
    held_only = [
        "no_file_due" if load_contract(d).schedule == "when_held" else "late" for d in sorted(DATASETS)
    ]
    assert october.pop("30") == held_only and "no_file_due" in held_only
    assert {s for statuses in october.values() for s in statuses} == {"missing", "no_file_due"}
    assert "งวด พฤศจิกายน 2569" in page and "ครบกำหนด 10/12/2569" in page
    assert "<b>late</b> means after the due date" in page and "ส่งหลังกำหนด" in page
    assert "Bangkok (10) is not in the CDD network" in page and "กรุงเทพมหานคร (10)" in page


def test_the_night_summary_counts_the_slots_of_the_month_and_the_month_before(report):
    markdown = (report / "night-report.md").read_text(encoding="utf-8")
    assert "| 2026-10 | activities | 2026-11-10 | 0 | 1 | 0 | 75 | 0 |" in markdown
    november = re.search(
        r"\| 2026-11 \| otop_sales \| 2026-12-10 \| (\d+) \| 0 \| (\d+) \| 0 \| 73 \|", markdown
    )
    assert november and int(november[1]) + int(november[2]) == 3
    assert "Bangkok (10) is not in the CDD network" in markdown


def test_each_province_gets_its_rejected_rows_as_csv_and_xlsx(report):
    csv_files = sorted((report / "quarantine").glob("*.csv"))
    assert csv_files
    for path in csv_files:
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
        assert rows[0][:4] == ["ไฟล์ / file", "แถวที่ / row", "คอลัมน์ / column", "ค่าที่ส่งมา / value as sent"]
        assert len(rows) > 1 and all(r[4] and r[5] for r in rows[1:])  # Thai and English messages
        assert not [r[3] for r in rows[1:] if r[3].startswith("{")]  # values as typed, never JSON
        sheet = openpyxl.load_workbook(path.with_suffix(".xlsx")).active
        assert sheet.max_row == len(rows)
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
        widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJ"]
        assert len(set(widths)) > 3  # fitted to what the columns hold, not all alike


def _render(page, tmp_path, name: str) -> str:
    """The page's DOM after Chromium ran its scripts, with no console message; and its screenshot
    in tmp_path/<name>.png (the screenshots in docs/ were taken so)."""
    dom = subprocess.run(
        [CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={tmp_path / name}-dom", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert [line for line in dom.stderr.splitlines() if "CONSOLE" in line] == []
    shot = tmp_path / f"{name}.png"
    subprocess.run(
        [CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={tmp_path / name}-shot", "--window-size=1300,1600",
         f"--screenshot={shot}", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert shot.stat().st_size > 20_000
    return dom.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_the_report_renders_in_chromium_without_console_errors(report, tmp_path):
    dom = _render(report / "report.html", tmp_path, "report")
    assert 'data-ready="yes"' in dom and 'data-charts="1"' in dom  # the scripts ran, the trend is drawn
    start = dom.index('id="matrix"')
    assert dom[start : dom.index("</table>", start)].count('<td class="cell ') == 76 * len(DATASETS)
    assert 'id="matrix-previous"' in dom
    trend = dom[dom.index('id="trend"') :]
    assert "<svg" in trend[: trend.index("</svg>")] and "แถวที่กักไว้ / quarantined" in trend


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_the_scorecard_page_renders_in_chromium_for_a_planner(report, tmp_path):
    dom = _render(report / "scorecard.html", tmp_path, "scorecard")
    assert 'data-ready="yes"' in dom and 'data-charts="1"' in dom
    assert "ผลตัวชี้วัด 5 ฟันเฟือง ไตรมาส 1/2570" in dom
    heat = dom[dom.index('id="heat"') : dom.index("</table>", dom.index('id="heat"'))]
    assert heat.count('<tr class="province"') == 76
    assert heat.count('<td class="share ') == 76 * 5
    indicators = dom[dom.index('id="indicators"') : dom.index("</table>", dom.index('id="indicators"'))]
    defined = (
        len((PROJECT_ROOT / "dbt_project" / "seeds" / "indicator_definitions.csv").read_text().splitlines())
        - 1
    )
    assert indicators.count("<tr>") == 1 + defined  # the header and every indicator the seed defines


def test_the_scorecard_page_ranks_the_provinces_with_data(report, warehouse):
    page = (report / "scorecard.html").read_text(encoding="utf-8")
    ranks = [int(r) for r in re.findall(r'<tr class="province" data-code="\d\d" data-rank="(\d+)"', page)]
    assert len(ranks) == 76
    ranked = sorted(r for r in ranks if r != 999)
    with psycopg.connect(warehouse) as conn:
        (with_data,) = conn.execute(
            """select count(distinct province_code) from bi.scorecard
               where fiscal_year_be = 2570 and fiscal_quarter = 1 and has_data"""
        ).fetchone()
    assert len(ranked) == with_data >= 3 and ranked[0] == 1  # the three provinces that delivered, at least
    assert all(a <= b for a, b in zip(ranked, ranked[1:], strict=False))
    assert "ไตรมาส 1/2570" in page and "Top 10" in page


def test_data_docs_need_nothing_from_the_network(report, warehouse):
    site = report / "data-docs"
    with psycopg.connect(warehouse) as conn:
        (datasets,) = conn.execute(
            "select count(distinct dataset) from ops.submission where night = %s and status = 'loaded'",
            (NIGHT,),
        ).fetchone()
    assert (site / "index.html").exists()
    # one validation per dataset loaded that night (OPC results only where a round was announced)
    assert len(list(site.rglob("validations/**/*.html"))) == datasets >= len(DATASETS) - 1
    assert remote_resources(site) == []


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_data_docs_render_offline_in_chromium_without_console_errors(report, tmp_path):
    page = next((report / "data-docs").rglob("validations/**/*.html")).as_uri()
    run = subprocess.run(
        [CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert "Expectation Validation Result" in run.stdout
    assert [line for line in run.stderr.splitlines() if "CONSOLE" in line] == []


def test_a_rule_across_columns_shows_each_value_under_the_officers_header():
    households = load_contract("bmn_households")
    compared = {"items_filled": 37, "indicator_set": "2566-70"}  # as quarantine.row keeps it
    assert shown_value(households, "items_of_tool", compared) == ("ชุดตัวชี้วัด: 2566-70; จำนวนข้อที่กรอก: 37")
    assert shown_value(households, "not_null", None) == ""
    assert shown_value(households, "bad_format", "{ab") == "{ab"  # text as typed stays text
