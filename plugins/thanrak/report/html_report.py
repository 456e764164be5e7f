"""The planners' nightly report: report.html (data quality: who delivered, what was loaded,
quarantined or rejected and why, which loaded files were unusual) and scorecard.html (the
five-gear scorecard), both Thai first, rendered from the Jinja2 templates in report/templates
and self-contained (styles, charts and script inline: they open from an e-mail with no
network), plus each province's quarantined rows as CSV and XLSX to send back to its office, and
the night's unusual checks as one CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import jinja2
import psycopg

from thanrak.contract.declarations import load_contract
from thanrak.contract.rules import DECLARED_KINDS, title
from thanrak.observe.words import BASELINES, DIRECTIONS, LEVELS, check_label, code_name, describe, value_text
from thanrak.report import charts
from thanrak.report import scorecard as scorecard_data
from thanrak.report.downloads import QUARANTINE_COLUMNS, download_rows, spreadsheet_cell, write_downloads
from thanrak.report.summary import night_anomalies
from thanrak.thai.dates import MONTHS_TH, MONTHS_TH_ABBR

# A slot is one province × dataset × month, judged against its due date (marts.fct_dq_completeness).
STATUS_LABELS = {
    "on_time": ("ส่งตรงกำหนด", "on time"),
    "late": ("ส่งหลังกำหนด", "late"),
    "rejected": ("ไฟล์ไม่ผ่าน", "rejected"),
    "missing": ("เลยกำหนด ยังไม่ส่ง", "missing"),
    "not_yet_due": ("ยังไม่ถึงกำหนด", "not yet due"),
    "no_file_due": ("ไม่มีกำหนดส่ง", "no file due"),
}
STATUS_MEANINGS = {
    "on_time": ("ไฟล์แรกที่รับเข้ามาก่อนสิ้นวันครบกำหนด", "the first loaded file came by the end of the due date"),
    "late": ("ไฟล์แรกที่รับเข้ามาหลังวันครบกำหนด", "the first loaded file came after the due date"),
    "rejected": ("มีแต่ไฟล์ที่ไม่รับ ต้องส่งใหม่", "only rejected files so far: send a corrected file"),
    "missing": ("เลยวันครบกำหนดแล้วยังไม่มีไฟล์", "the due date has passed and nothing came"),
    "not_yet_due": ("ยังไม่มีไฟล์ และยังไม่ถึงวันครบกำหนด", "nothing yet, and the due date has not come"),
    "no_file_due": (
        "ชุดข้อมูลนี้ส่งเฉพาะเดือนที่มีการดำเนินการ (เช่น ประกาศผลการคัดสรร OTOP) และเดือนนี้จังหวัดไม่มี",
        "this dataset is sent only for a month in which something took place (OPC results), and nothing did",
    ),
}
BANGKOK_NOTE = (
    "กรุงเทพมหานคร (10) ไม่อยู่ในเครือข่ายของกรมการพัฒนาชุมชน จึงไม่นับในตารางความครบถ้วนและผลตัวชี้วัด 5 ฟันเฟือง",
    "Bangkok (10) is not in the CDD network: it is left out of the completeness matrix and of the five-gear scorecard.",
)
_SYMBOLS = {
    "on_time": "✓",
    "late": "!",
    "rejected": "✗",
    "missing": "·",
    "not_yet_due": "○",
    "no_file_due": "–",
}
TREND_NIGHTS = 14
# The unusual files the page shows (the most unusual first), each check with its measure's last
# periods; all of them are in the CSV.
UNUSUAL_FILES = 20
HISTORY_PERIODS = 12
UNUSUAL_CSV = "unusual.csv"
# How many values a baseline had, in words: periods of the slot, years of the same month, provinces.
_BASELINE_UNITS = {
    "own": ("งวด", "periods"),
    "own_fiscal_month": ("ปี", "years"),
    "peers": ("จังหวัด", "provinces"),
}


def gather(conn: psycopg.Connection, night: dt.date) -> dict:
    """Everything report.html shows, read from the dq marts, the quarantine and bi.provinces."""
    period = f"{night:%Y-%m}"
    previous_period = f"{night.replace(day=1) - dt.timedelta(days=1):%Y-%m}"
    matrices = {
        p: {
            (province, dataset): (status, due_date)
            for province, dataset, status, due_date in conn.execute(
                """select province_code, dataset, delivery_status, due_date
                   from marts.fct_dq_completeness where period = %s""",
                (p,),
            )
        }
        for p in (period, previous_period)
    }
    totals = conn.execute(
        """select count(distinct (province_code, dataset, period)), count(*),
                  count(*) filter (where status = 'loaded'), count(*) filter (where status = 'rejected'),
                  coalesce(sum(rows_received), 0), coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0),
                  coalesce(sum(rows_received) filter (where status = 'rejected'), 0)
           from marts.fct_dq_deliveries where processed_night = %s""",
        (night,),
    ).fetchone()
    # The same bytes delivered again into their slot that night: recorded, not processed again.
    (redeliveries,) = conn.execute(
        """select count(*) from ops.delivery d join ops.submission s using (submission_id)
           where d.night = %s and d.delivered_at > s.delivered_at""",
        (night,),
    ).fetchone()
    top_rules = conn.execute(
        """select r.dataset, rule, coalesce(column_name, ''), sum(failed_rows)
           from marts.fct_dq_rule_results r join marts.fct_dq_deliveries d using (submission_id)
           where d.processed_night = %s and d.status = 'loaded' and failed and severity <> 'reject_file'
           group by 1, 2, 3 order by 4 desc, 1, 2, 3 limit 10""",
        (night,),
    ).fetchall()
    # The last nights that processed anything: offices deliver monthly, so most nights are empty.
    trend = conn.execute(
        """select * from (
               select processed_night, sum(rows_loaded), sum(rows_quarantined),
                      coalesce(sum(rows_received) filter (where status = 'rejected'), 0),
                      count(*) filter (where status = 'rejected')
               from marts.fct_dq_deliveries where processed_night <= %s
               group by 1 order by 1 desc limit %s) recent
           order by 1""",
        (night, TREND_NIGHTS),
    ).fetchall()
    rejected_files = conn.execute(
        """select province_code, dataset, source_key, reject_reason_th, reject_reason_en
           from marts.fct_dq_deliveries where processed_night = %s and status = 'rejected'
           order by province_code, dataset, source_key""",
        (night,),
    ).fetchall()
    quarantined = conn.execute(
        """select s.province_code, s.dataset, s.source_key, q.source_row, r ->> 'rule', r ->> 'column',
                  r -> 'value', r ->> 'message_th', r ->> 'message_en'
           from quarantine.row q join ops.submission s using (submission_id),
                jsonb_array_elements(q.reasons) r
           where s.night = %s and q.released_at is null
           order by s.province_code, s.dataset, s.source_key, q.source_row""",
        (night,),
    ).fetchall()
    anomalies = night_anomalies(conn, night)
    return {
        "night": night,
        "anomalies": anomalies,
        "anomaly_history": anomaly_history(conn, list(_by_file(anomalies))[:UNUSUAL_FILES]),
        "regions": regions(conn),
        "datasets": conn.execute(
            "select dataset, title_th, title_en, due_day from marts.contract_datasets order by 1"
        ).fetchall(),
        "period": period,
        "previous_period": previous_period,
        "matrix": matrices[period],
        "previous_matrix": matrices[previous_period],
        "totals": dict(
            zip(
                (
                    "slots",
                    "files",
                    "loaded",
                    "rejected",
                    "rows",
                    "rows_loaded",
                    "rows_quarantined",
                    "rows_rejected",
                ),
                totals,
                strict=True,
            ),
            redeliveries=redeliveries,
        ),
        "top_rules": top_rules,
        "trend": trend,
        "rejected_files": rejected_files,
        "quarantined": quarantined,
    }


def anomaly_history(conn: psycopg.Connection, submission_ids: list[int]) -> dict[tuple[int, str], list]:
    """(submission, check) -> the periods before the file's own of the measure its check reads
    (marts.fct_dq_slot_metrics: each slot's file in force), oldest first, at most
    HISTORY_PERIODS - 1 of them: (period, value)."""
    history: dict[tuple[int, str], list] = {}
    for submission_id, check, period, value in conn.execute(
        """select submission_id, check_name, period, value from (
               select a.submission_id, a.check_name, m.period, m.value,
                      row_number() over (partition by a.submission_id, a.check_name order by m.period desc) as back
               from marts.fct_dq_anomalies a
               join marts.fct_dq_slot_metrics m
                 on m.province_code = a.province_code and m.dataset = a.dataset
                and m.metric = a.history_metric and m.period < a.period
               where a.submission_id = any(%s)) recent
           where back < %s order by submission_id, check_name, period""",
        (submission_ids, HISTORY_PERIODS),
    ):
        history.setdefault((submission_id, check), []).append((period, value))
    return history


def regions(conn: psycopg.Connection) -> list[dict]:
    """The CDD network's provinces in their regions (six-region scheme), each region in the
    order of its first DOPA code (codes run by region: central 1x, east 2x, ...)."""
    grouped: dict[tuple[str, str], list[dict]] = {}
    for code, th, en, region_th, region_en in conn.execute(
        """select province_code, province_name_th, province_name_en, region_th, region_en
           from bi.provinces where in_cdd_network
           order by min(province_code) over (partition by region_code), province_code"""
    ):
        grouped.setdefault((region_th, region_en), []).append({"code": code, "th": th, "en": en})
    return [{"th": th, "en": en, "provinces": provinces} for (th, en), provinces in grouped.items()]


def write_html_report(data: dict, folder: Path) -> Path:
    """Writes report.html and, per province with quarantined rows, CSV and XLSX files beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    downloads = folder / "quarantine"
    downloads.mkdir(exist_ok=True)
    for stale in downloads.glob("quarantine-*.*"):  # a night run again: no office's old rows linger
        stale.unlink()
    by_province: dict[str, list[tuple]] = {}
    for row in data["quarantined"]:
        by_province.setdefault(row[0], []).append(row)
    for province, rows in by_province.items():
        write_downloads(downloads, province, download_rows(rows))
    unusual = folder / UNUSUAL_CSV
    if data["anomalies"]:
        unusual.write_text(unusual_csv(data["anomalies"]), encoding="utf-8-sig", newline="")  # BOM: Excel
    else:
        unusual.unlink(missing_ok=True)  # a night run again keeps no stale list
    path = folder / "report.html"
    path.write_text(
        render_page("report.html.j2", page="quality", **_quality_view(data, by_province)), encoding="utf-8"
    )
    return path


def write_scorecard_page(data: dict, folder: Path) -> Path:
    """Writes scorecard.html from scorecard.scorecard_page()."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scorecard.html"
    path.write_text(
        render_page("scorecard.html.j2", page="scorecard", **_scorecard_view(data)), encoding="utf-8"
    )
    return path


def render_page(template: str, **context) -> str:
    return _TEMPLATES.get_template(template).render(
        generated_at=f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        chart_scripts=charts.chart_scripts(),
        **context,
    )


_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("thanrak.report"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_TEMPLATES.filters["number"] = lambda value: f"{int(value):,}"
_TEMPLATES.filters["thai_date"] = charts.thai_date


def _quality_view(data: dict, by_province: dict[str, list[tuple]]) -> dict:
    """What report.html.j2 draws, in the words a planner reads."""
    titles = {dataset: (th, en) for dataset, th, en, _ in data["datasets"]}
    names = {p["code"]: (p["th"], p["en"]) for region in data["regions"] for p in region["provinces"]}
    return {
        "night": data["night"],
        "totals": data["totals"],
        "regions": data["regions"],
        "datasets": [{"dataset": d, "th": th, "en": en} for d, th, en, _ in data["datasets"]],
        "due_days": ", ".join(str(d) for d in sorted({due_day for *_, due_day in data["datasets"]})),
        "statuses": [
            {"status": s, "th": th, "en": en, "symbol": _SYMBOLS[s], "meaning": STATUS_MEANINGS[s]}
            for s, (th, en) in STATUS_LABELS.items()
        ],
        "bangkok_note": BANGKOK_NOTE,
        "periods": [
            _period("matrix", data["period"], data["matrix"], data["datasets"], names),
            _period(
                "matrix-previous", data["previous_period"], data["previous_matrix"], data["datasets"], names
            ),
        ],
        "top_rules": [
            {"label": rule_label(dataset, rule, column), "rows": int(rows)}
            for dataset, rule, column, rows in data["top_rules"]
        ],
        "top_rules_max": max((int(rows) for *_, rows in data["top_rules"]), default=1) or 1,
        "trend_chart": charts.chart("trend", charts.night_trend(data["trend"])) if data["trend"] else None,
        "provinces": _per_province(data, names, titles, by_province),
        "unusual": _unusual(data, names, titles),
    }


def _scorecard_view(data: dict) -> dict:
    """What scorecard.html.j2 draws: amounts in Thai units, shares as classes of colour."""
    indicators = []
    for i in data["national"]["indicators"]:
        target = scorecard_data.amount(i["target"], i["unit"], i["unit_th"])
        indicators.append(
            {
                **i,
                "value_text": scorecard_data.amount(i["value"], i["unit"], i["unit_th"]),
                "target_text": target,
                "target_period_text": scorecard_data.TARGET_LABELS[i["target_period"]] if target else "",
                "period_text": scorecard_data.PERIOD_LABELS[i["period_type"]],
                "met": i["attainment"] is not None and i["attainment"] >= 1,
            }
        )
    by_region: dict[tuple[str, str], list[dict]] = {}
    for province in data["provinces"]:
        by_region.setdefault(province["region"], []).append(province)
    ranked = sorted((p for p in data["provinces"] if p["rank"]), key=lambda p: (p["rank"], p["code"]))
    return {
        **data,
        "indicators": indicators,
        "regions": [{"th": th, "en": en, "provinces": ps} for (th, en), ps in by_region.items()],
        "top": ranked[:10],
        "bottom": ranked[-10:][::-1] if len(ranked) > 10 else [],
        "gear_summary": _gear_summary(indicators, data["gears"]),
        "trend_chart": charts.chart("gear-trend", charts.gear_trend(data["trends"]))
        if data["trends"]
        else None,
        "share_class": _share_class,
    }


def _gear_summary(indicators: list[dict], gears: list[dict]) -> list[dict]:
    return [
        {
            **gear,
            "indicators": sum(i["gear"] == gear["code"] for i in indicators),
            "with_data": sum(i["gear"] == gear["code"] and i["value"] is not None for i in indicators),
            "met": sum(i["gear"] == gear["code"] and i["met"] for i in indicators),
        }
        for gear in gears
    ]


def _share_class(meeting: int, with_data: int) -> str:
    """A cell's colour: every indicator met, some, none; grey without data."""
    if not with_data:
        return "none"
    return "all" if meeting == with_data else "some" if meeting else "no"


def _period(table_id: str, period: str, matrix: dict, datasets: list[tuple], provinces: dict) -> dict:
    """A month's matrix. A dataset sent only when something took place (schedule when_held) has
    no slot for a province with nothing that month: its cell says no file was due."""
    cells = {key: status for key, (status, _) in matrix.items()}
    if cells:
        for province in provinces:
            for dataset, *_ in datasets:
                cells.setdefault((province, dataset), "no_file_due")
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for status in cells.values():
        counts[status] += 1
    due = {}
    for dataset, *_ in datasets:
        dates = [due_date for (_, d), (_, due_date) in matrix.items() if d == dataset]
        due[dataset] = min(dates) if dates else None
    return {
        "id": table_id,
        "code": period,
        "title_th": _period_th(period),
        "cells": cells,
        "due": due,
        "counts": counts,
    }


def _per_province(data: dict, names: dict, titles: dict, by_province: dict[str, list[tuple]]) -> list[dict]:
    """Per province with something to send back: its rejected files with the reason, and its
    quarantined rows (the first 20 on the page, all in the downloads)."""
    rejected: dict[str, list[dict]] = {}
    for code, dataset, key, reason_th, reason_en in data["rejected_files"]:
        rejected.setdefault(code, []).append(
            {
                "dataset": titles.get(dataset, (dataset, dataset)),
                "file": key.rsplit("/", 1)[-1],
                "path": key,
                "reason": (reason_th, reason_en),
            }
        )
    provinces = []
    for code in sorted(set(rejected) | set(by_province)):
        rows = by_province.get(code, [])
        provinces.append(
            {
                "code": code,
                "name": names.get(code, ("?", "unknown folder")),
                "rejected": rejected.get(code, []),
                "quarantined_rows": len({(r[2], r[3]) for r in rows}),
                "problems": len(rows),
                "first": [dict(zip(QUARANTINE_COLUMNS, r, strict=True)) for r in download_rows(rows[:20])],
            }
        )
    return provinces


def _by_file(anomalies: list[dict]) -> dict[int, list[dict]]:
    """The night's unusual checks by file, in their order (most unusual first): a file comes
    where its most unusual check does."""
    files: dict[int, list[dict]] = {}
    for anomaly in anomalies:
        files.setdefault(anomaly["submission_id"], []).append(anomaly)
    return files


def _period_th(period: str, abbreviated: bool = False) -> str:
    """'พฤศจิกายน 2569' (or 'พ.ย. 69') for the period 2026-11."""
    year, month = (int(part) for part in period.split("-"))
    if abbreviated:
        return f"{MONTHS_TH_ABBR[month - 1]} {(year + 543) % 100:02d}"
    return f"{MONTHS_TH[month - 1]} {year + 543}"


def _unusual(data: dict, names: dict, titles: dict) -> dict:
    """The section 'unusual this night': the first UNUSUAL_FILES files, each check in the words
    of thanrak.observe.words with a small chart of its measure's recent periods; how many more
    are in the CSV."""
    files = _by_file(data["anomalies"])
    shown = []
    for submission_id, checks in list(files.items())[:UNUSUAL_FILES]:
        first = checks[0]
        items = [
            _unusual_check(
                check,
                data["anomaly_history"].get((submission_id, check["check"]), []),
                f"unusual-{len(shown)}-{index}",
            )
            for index, check in enumerate(checks)
        ]
        shown.append(
            {
                "level": first["level"],
                "level_words": LEVELS[first["level"]],
                "province": (first["province"], *names.get(first["province"], ("?", "unknown"))),
                "dataset": titles.get(first["dataset"], (first["dataset"], first["dataset"])),
                "period": (_period_th(first["period"]), first["period"]),
                "revision": first["revision"],
                "checks": items,
            }
        )
    hidden = list(files.values())[UNUSUAL_FILES:]
    return {
        "files": shown,
        "more_files": len(hidden),
        "more_checks": sum(len(checks) for checks in hidden),
        "checks": len(data["anomalies"]),
        "csv": UNUSUAL_CSV if data["anomalies"] else None,
    }


def _unusual_check(check: dict, history: list[tuple[str, float]], chart_id: str) -> dict:
    """One unusual check: its label, what was found against what is usual (for a code shift: the
    code that moved most, its share and its usual share), level, baseline, and its small chart
    (the usual range as a band; a code's usual share as a line)."""
    name = check["check"]
    if check["detail"]:
        code_th, code_en = code_name(check["dataset"], name, check["detail"]["code"])
        share, usual = check["detail"]["share"], check["detail"]["usual_share"]
        found = (f"{code_th} {share:.0%} · ปกติ {usual:.0%}", f"{code_en} {share:.0%}, usually {usual:.0%}")
        now, band = share, (usual, usual)
    else:
        observed = value_text(name, check["observed"])
        usual_range = f"{value_text(name, check['expected_low'])}–{value_text(name, check['expected_high'])}"
        found = (f"{observed} · ปกติ {usual_range}", f"{observed}, usually {usual_range}")
        now, band = check["observed"], (check["expected_low"], check["expected_high"])
    units = _BASELINE_UNITS[check["baseline"]]
    baseline = BASELINES[check["baseline"]]
    return {
        "label": check_label(check["dataset"], name),
        "found": found,
        "direction": DIRECTIONS[check["direction"]],
        "level": check["level"],
        "level_words": LEVELS[check["level"]],
        "baseline": (
            f"{baseline[0]} ({check['history_periods']:,} {units[0]})",
            f"{baseline[1]} ({check['history_periods']:,} {units[1]})",
        ),
        "chart": charts.chart(
            chart_id,
            charts.slot_history(
                [(_period_th(period, True), value) for period, value in history],
                check["history_metric"],
                band,
                (_period_th(check["period"], True), now),
            ),
        ),
    }


# The CSV of every unusual check of the night: headers Thai / English, as the downloads'.
_UNUSUAL_COLUMNS = (
    ("province", "รหัสจังหวัด", "province code"),
    ("dataset", "ชุดข้อมูล", "dataset"),
    ("period", "งวดข้อมูล", "period"),
    ("revision", "ครั้งที่ส่ง", "revision"),
    ("check", "การตรวจ", "check"),
    ("observed", "ค่าที่พบ", "observed"),
    ("expected", "ค่าปกติ", "expected"),
    ("expected_low", "ขอบล่างของช่วงปกติ", "usual range from"),
    ("expected_high", "ขอบบนของช่วงปกติ", "usual range to"),
    ("direction", "ทิศทาง", "direction"),
    ("level", "ระดับ", "level"),
    ("score", "คะแนน", "score"),
    ("baseline", "ฐานที่ใช้เทียบ", "baseline"),
    ("history_periods", "จำนวนค่าในฐาน", "baseline values"),
    ("code", "รหัสที่สัดส่วนเปลี่ยนมากที่สุด", "code that moved most"),
    ("share", "สัดส่วนของรหัสในไฟล์", "code share in the file"),
    ("usual_share", "สัดส่วนปกติของรหัส", "usual code share"),
    ("submission_id", "รหัสไฟล์ในทะเบียน", "submission id"),
)


def unusual_csv(anomalies: list[dict]) -> str:
    """Every unusual check of the night, one row each: the line thanrak.observe.words makes of it
    in Thai and in English, then its codes and numbers (numbers as numbers); text a spreadsheet
    would read as a formula is quoted as the downloads quote it (spreadsheet_cell)."""
    buffer = io.StringIO()
    out = csv.writer(buffer)
    words = (("ผลการตรวจ", "finding (Thai)"), ("ผลการตรวจ (อังกฤษ)", "finding"))
    out.writerow([f"{th} / {en}" for th, en in words] + [f"{th} / {en}" for _, th, en in _UNUSUAL_COLUMNS])
    for anomaly in anomalies:
        values = [*describe(anomaly)] + [
            anomaly["detail"].get(field) if field in ("code", "share", "usual_share") else anomaly[field]
            for field, *_ in _UNUSUAL_COLUMNS
        ]
        cells = [spreadsheet_cell(value) for value in values]
        out.writerow(["'" + value if quoted else value for value, quoted in cells])
    return buffer.getvalue()


_PLACEHOLDER = re.compile(r"\{\w+\}")


def rule_label(dataset: str, rule: str, column: str) -> str:
    """'ไม่ได้กรอก: งบประมาณ (บาท) · empty: Budget (baht)', from the contract and the messages."""
    contract = load_contract(dataset)
    contract_rule = next((r for r in contract.rules if r.name == rule), None)
    # A message written for one row ("{filled} items ...") means nothing over many rows: then the
    # rule's kind (or name) and its column stand for it.
    if contract_rule and not _PLACEHOLDER.search(contract_rule.message_th + contract_rule.message_en):
        return f"{contract_rule.message_th} · {contract_rule.message_en}"
    th, en = (contract_rule and DECLARED_KINDS[contract_rule.kind].title) or title(rule)
    if column in contract.column_names:
        header = contract.column(column)
        return f"{th}: {header.th} · {en}: {header.en}"
    return f"{th} · {en}"
