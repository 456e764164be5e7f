"""The night's report: who delivered, what was loaded, quarantined or rejected and why, which
loaded files were unusual, what the marts hold, and how long each stage took. Written as JSON
(for machines) and Markdown."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import psycopg

from thanrak.observe.words import BASELINES, describe

MARTS = (
    "dim_area",
    "dim_date",
    "fct_activities",
    "fct_dq_deliveries",
    "fct_dq_completeness",
    "fct_dq_rule_results",
    "fct_dq_anomalies",
)
# The unusual checks the Markdown lists (the JSON has them all).
UNUSUAL_LISTED = 20


def night_summary(conn: psycopg.Connection, night: dt.date, run_id: str | None = None) -> dict:
    datasets = conn.execute(
        """select dataset,
                  count(*) as files,
                  count(*) filter (where status = 'loaded') as files_loaded,
                  count(*) filter (where status = 'rejected') as files_rejected,
                  count(*) filter (where status = 'discovered') as files_pending,
                  coalesce(sum(rows_received), 0) as rows_received,
                  coalesce(sum(rows_loaded), 0) as rows_loaded,
                  coalesce(sum(rows_quarantined), 0) as rows_quarantined,
                  coalesce(sum(rows_received) filter (where status = 'rejected'), 0) as rows_in_rejected_files
           from ops.submission where night = %s group by dataset order by dataset""",
        (night,),
    ).fetchall()
    rejected = conn.execute(
        """select province_code, dataset, period, source_key, reject_reason_th, reject_reason_en
           from ops.submission where night = %s and status = 'rejected' order by province_code""",
        (night,),
    ).fetchall()
    top_reasons = conn.execute(
        """select reason ->> 'rule', reason ->> 'column', count(*)
           from quarantine.row q join ops.submission s using (submission_id),
                jsonb_array_elements(q.reasons) reason
           where s.night = %s group by 1, 2 order by 3 desc, 1, 2 limit 10""",
        (night,),
    ).fetchall()
    provinces_delivered = conn.execute(
        """select count(distinct s.province_code) from ops.submission s
           join ref.province p on p.province_code = s.province_code and p.in_cdd_network
           where s.night = %s""",
        (night,),
    ).fetchone()[0]
    completeness = conn.execute(
        """select period, dataset, min(due_date),
                  count(*) filter (where delivery_status = 'on_time'),
                  count(*) filter (where delivery_status = 'late'),
                  count(*) filter (where delivery_status = 'rejected'),
                  count(*) filter (where delivery_status = 'missing'),
                  count(*) filter (where delivery_status = 'not_yet_due')
           from marts.fct_dq_completeness where period in (%s, %s)
           group by period, dataset order by period desc, dataset""",
        (f"{night:%Y-%m}", f"{night.replace(day=1) - dt.timedelta(days=1):%Y-%m}"),
    ).fetchall()
    stages = []
    if run_id:
        stages = conn.execute(
            """select stage, count(*), extract(epoch from max(finished_at) - min(started_at))::numeric(10, 2),
                      extract(epoch from sum(finished_at - started_at))::numeric(10, 2)
               from ops.run_log where run_id = %s group by stage order by min(started_at)""",
            (run_id,),
        ).fetchall()
    return {
        "night": night.isoformat(),
        "run_id": run_id,
        "provinces_delivered": provinces_delivered,
        "datasets": [dict(zip(_DATASET_FIELDS, row, strict=True)) for row in datasets],
        "rejected_files": [dict(zip(_REJECTED_FIELDS, row, strict=True)) for row in rejected],
        "top_quarantine_reasons": [{"rule": r, "column": c, "rows": n} for r, c, n in top_reasons],
        "completeness": [
            {**dict(zip(_COMPLETENESS_FIELDS, row, strict=True)), "due_date": row[2].isoformat()}
            for row in completeness
        ],
        "anomalies": night_anomalies(conn, night),
        "marts": mart_counts(conn),
        # seconds: first start to last finish; busy: the sum of its runs (the ingest task runs a
        # file's extract, validate and load one after the other, so their spans overlap)
        "stages": [
            {"stage": s, "calls": n, "seconds": float(span), "busy_seconds": float(busy)}
            for s, n, span, busy in stages
        ],
    }


_DATASET_FIELDS = (
    "dataset", "files", "files_loaded", "files_rejected", "files_pending",
    "rows_received", "rows_loaded", "rows_quarantined", "rows_in_rejected_files",
)  # fmt: skip
_REJECTED_FIELDS = ("province_code", "dataset", "period", "file", "reason_th", "reason_en")
_COMPLETENESS_FIELDS = (
    "period",
    "dataset",
    "due_date",
    "on_time",
    "late",
    "rejected",
    "missing",
    "not_yet_due",
)


_ANOMALY_FIELDS = (
    "submission_id", "province_code", "dataset", "period", "revision", "check_name", "observed", "expected",
    "expected_low", "expected_high", "score", "direction", "level", "baseline", "history_periods", "code",
    "code_share", "usual_code_share", "history_metric",
)  # fmt: skip


def night_anomalies(conn: psycopg.Connection, night: dt.date) -> list[dict]:
    """The unusual checks of the files the night processed (marts.fct_dq_anomalies), the most
    unusual first (high level before low, then the larger score), as the facts
    thanrak.observe.words describes (the alerts' shape), with the file's revision and the measure
    whose history marts.fct_dq_slot_metrics holds. None before the mart exists."""
    if conn.execute("select to_regclass('marts.fct_dq_anomalies')").fetchone()[0] is None:
        return []
    rows = conn.execute(
        f"""select {", ".join(_ANOMALY_FIELDS)} from marts.fct_dq_anomalies where processed_night = %s
            order by level_order desc, abs(score) desc, province_code, dataset, period, check_name""",
        (night,),
    ).fetchall()
    facts = []
    for row in rows:
        found = dict(zip(_ANOMALY_FIELDS, row, strict=True))
        code, share, usual = (found.pop(k) for k in ("code", "code_share", "usual_code_share"))
        facts.append(
            {
                "province": found.pop("province_code"),
                "check": found.pop("check_name"),
                **found,
                "detail": {"code": code, "share": share, "usual_share": usual} if code else {},
            }
        )
    return facts


def mart_counts(conn: psycopg.Connection) -> dict[str, int | None]:
    counts = {}
    for mart in MARTS:
        exists = conn.execute("select to_regclass(%s)", (f"marts.{mart}",)).fetchone()[0]
        counts[mart] = conn.execute(f"select count(*) from marts.{mart}").fetchone()[0] if exists else None
    return counts


def write_report(summary: dict, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / "night-report.json"
    json_path.write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    markdown_path = folder / "night-report.md"
    markdown_path.write_text(render_markdown(summary))
    return [json_path, markdown_path]


def render_markdown(summary: dict) -> str:
    lines = [
        f"# Thanrak night report / รายงานประจำคืน {summary['night']}",
        "",
        f"Provinces that delivered / จังหวัดที่ส่งข้อมูล: {summary['provinces_delivered']} of 76",
        "",
        "| dataset | files | loaded | rejected | pending | rows received | rows loaded | rows quarantined "
        "| rows in rejected files |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += ["| " + " | ".join(str(d[f]) for f in _DATASET_FIELDS) + " |" for d in summary["datasets"]]
    lines += [
        "",
        "## Completeness by delivery schedule / ความครบถ้วนตามกำหนดส่ง",
        "",
        "One file per province, dataset and month, due by the due date (Bangkok time); late = after it. "
        "Bangkok (10) is not in the CDD network and not counted. / "
        "ส่งเดือนละหนึ่งไฟล์ต่อจังหวัดต่อชุดข้อมูล ภายในวันครบกำหนด; ส่งหลังกำหนด = หลังวันครบกำหนด; "
        "ไม่นับกรุงเทพมหานคร (ไม่อยู่ในเครือข่าย พช.)",
        "",
        "| period | dataset | due | on time | late | rejected | missing | not yet due |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        "| " + " | ".join(str(c[f]) for f in _COMPLETENESS_FIELDS) + " |" for c in summary["completeness"]
    ]
    lines += ["", "## Rejected files / ไฟล์ที่ไม่รับ", ""]
    lines += [
        f"- {r['province_code']} {r['dataset']} {r['period']} `{r['file']}`: {r['reason_th']} / {r['reason_en']}"
        for r in summary["rejected_files"]
    ] or ["- none / ไม่มี"]
    lines += ["", "## Most frequent quarantine reasons / สาเหตุที่พบบ่อย", ""]
    lines += [
        f"- {r['rule']} on {r['column']}: {r['rows']} rows" for r in summary["top_quarantine_reasons"]
    ] or ["- none / ไม่มี"]
    lines += ["", "## ผิดปกติในคืนนี้ / Unusual this night", ""]
    lines += [
        "- {} / {} (เทียบกับ{} / against {})".format(*describe(a), *BASELINES[a["baseline"]])
        for a in summary["anomalies"][:UNUSUAL_LISTED]
    ] or ["- ไม่พบสิ่งผิดปกติ / nothing unusual"]
    if len(summary["anomalies"]) > UNUSUAL_LISTED:
        more = len(summary["anomalies"]) - UNUSUAL_LISTED
        lines.append(f"- และอีก {more:,} รายการ / and {more:,} more (night-report.json, bi.dq_anomalies)")
    lines += ["", "## Marts / ตารางข้อมูลสำหรับวิเคราะห์", ""]
    lines += [f"- marts.{name}: {count} rows" for name, count in summary["marts"].items()]
    if summary["stages"]:
        lines += ["", "## Stage timings / เวลาแต่ละขั้นตอน", "", *stage_lines(summary["stages"])]
        lines += ["", "(first start to last finish; busy: the time its runs took, added up)"]
    return "\n".join(lines) + "\n"


# What one run of a stage that runs many times a night covers: a file, or a province's batch
STAGE_UNIT = {"extract": "files", "validate": "files", "load": "files", "refresh_statistics": "provinces"}


def stage_lines(stages: list[dict]) -> list[str]:
    """A line per stage: its span and, for a stage that ran many times, over how many files or
    provinces and its busy time."""
    return [
        f"- {s['stage']}: {s['seconds']} s"
        + (
            f" over {s['calls']} {STAGE_UNIT.get(s['stage'], 'runs')}, {s['busy_seconds']} s busy"
            if s["calls"] > 1
            else ""
        )
        for s in stages
    ]
