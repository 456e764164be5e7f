"""The nightly data-quality report for planners: one self-contained HTML page (no CDN, no
network: styles, charts and script are inline), in Thai and English, plus per-province files
of rejected rows (CSV and XLSX) to send back to each office."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import html
import io
import re
from pathlib import Path

import psycopg

from thanrak.contract.declarations import load_contract
from thanrak.contract.rules import title
from thanrak.thai.dates import MONTHS_TH

# A slot is one province × dataset × month, judged against its due date (marts.fct_dq_completeness).
STATUS_LABELS = {
    "on_time": ("ส่งตรงกำหนด", "on time"),
    "late": ("ส่งหลังกำหนด", "late"),
    "rejected": ("ไฟล์ไม่ผ่าน", "rejected"),
    "missing": ("เลยกำหนด ยังไม่ส่ง", "missing"),
    "not_yet_due": ("ยังไม่ถึงกำหนด", "not yet due"),
}
STATUS_MEANINGS = {
    "on_time": ("ไฟล์แรกที่รับเข้ามาก่อนสิ้นวันครบกำหนด", "the first loaded file came by the end of the due date"),
    "late": ("ไฟล์แรกที่รับเข้ามาหลังวันครบกำหนด", "the first loaded file came after the due date"),
    "rejected": ("มีแต่ไฟล์ที่ไม่รับ ต้องส่งใหม่", "only rejected files so far: send a corrected file"),
    "missing": ("เลยวันครบกำหนดแล้วยังไม่มีไฟล์", "the due date has passed and nothing came"),
    "not_yet_due": ("ยังไม่มีไฟล์ และยังไม่ถึงวันครบกำหนด", "nothing yet, and the due date has not come"),
}
BANGKOK_NOTE = (
    "กรุงเทพมหานคร (10) ไม่อยู่ในเครือข่ายของกรมการพัฒนาชุมชน จึงไม่นับในตารางความครบถ้วนและผลตัวชี้วัด 5 ฟันเฟือง",
    "Bangkok (10) is not in the CDD network: it is left out of the completeness matrix and of the five-gear scorecard.",
)
QUARANTINE_COLUMNS = (
    "province_code", "dataset", "file", "row", "rule", "column", "value", "message_th", "message_en",
)  # fmt: skip


def gather(conn: psycopg.Connection, night: dt.date, trend_nights: int = 14) -> dict:
    """Everything the page shows, read from the dq marts and the quarantine."""
    provinces = conn.execute(
        "select province_code, name_th, name_en from ref.province where in_cdd_network order by province_code"
    ).fetchall()
    datasets = conn.execute(
        "select dataset, title_th, title_en, due_day from marts.contract_datasets order by 1"
    ).fetchall()
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
    trend = conn.execute(
        """select processed_night, sum(rows_loaded), sum(rows_quarantined), count(*) filter (where status = 'rejected')
           from marts.fct_dq_deliveries where processed_night between %s and %s
           group by 1 order by 1""",
        (night - dt.timedelta(days=trend_nights - 1), night),
    ).fetchall()
    rejected_files = conn.execute(
        """select province_code, dataset, source_key, reject_reason_th, reject_reason_en
           from marts.fct_dq_deliveries where processed_night = %s and status = 'rejected'
           order by province_code, dataset""",
        (night,),
    ).fetchall()
    quarantined = conn.execute(
        """select s.province_code, s.dataset, s.source_key, q.source_row, r ->> 'rule', r ->> 'column',
                  coalesce(r ->> 'value', ''), r ->> 'message_th', r ->> 'message_en'
           from quarantine.row q join ops.submission s using (submission_id),
                jsonb_array_elements(q.reasons) r
           where s.night = %s and q.released_at is null
           order by s.province_code, s.dataset, q.source_row""",
        (night,),
    ).fetchall()
    return {
        "night": night,
        "provinces": provinces,
        "datasets": datasets,
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


def write_html_report(data: dict, folder: Path) -> Path:
    """Writes report.html and, per province with quarantined rows, CSV and XLSX files beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    by_province: dict[str, list[tuple]] = {}
    for row in data["quarantined"]:
        by_province.setdefault(row[0], []).append(row)
    downloads = folder / "quarantine"
    downloads.mkdir(exist_ok=True)
    for province, rows in by_province.items():
        _write_csv(downloads / f"quarantine-{province}.csv", rows)
        _write_xlsx(downloads / f"quarantine-{province}.xlsx", rows)
    path = folder / "report.html"
    path.write_text(render(data, by_province), encoding="utf-8")
    return path


# A spreadsheet reads a cell whose text starts with one of these as a formula (OWASP, "CSV
# Injection"): `=HYPERLINK(...)`, `=cmd|'/c calc'!A1`, `+1+1`, `-1+1`, `@SUM(...)`; tab and
# carriage return because Excel strips them and then reads what follows.
FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBERS = (int, float, decimal.Decimal)  # bool is an int: written as is, never read as a formula
_NOT_TEXT = (*_NUMBERS, dt.date, dt.time)  # dt.datetime is a dt.date
# Characters XML 1.0 (so XLSX) cannot hold; openpyxl refuses them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def spreadsheet_cell(value: object) -> tuple[object, bool]:
    """A download cell as (value, quoted), the one decision both downloads follow: numbers,
    dates and None stay what they are (quoted is False), so -500 stays the number -500;
    anything else is text (str), and quoted says it starts with a formula leader, so a
    spreadsheet must be told it is text: a leading "'" in the CSV (OWASP's advice), a
    string cell with Excel's quote prefix in the XLSX. Text that merely looks like a
    negative number ("-500" as typed) is text, and quoted like any other."""
    if value is None or isinstance(value, _NOT_TEXT):
        return value, False
    text = str(value)
    return text, text.startswith(FORMULA_LEADERS)


def _csv_cell(value: object) -> object:
    value, quoted = spreadsheet_cell(value)
    return "'" + value if quoted else value


def _write_csv(path: Path, rows: list[tuple]) -> None:
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow([_csv_cell(v) for v in QUARANTINE_COLUMNS])
    out.writerows([_csv_cell(v) for v in row] for row in rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")  # BOM: Excel shows Thai


def _write_xlsx(path: Path, rows: list[tuple]) -> None:
    """Every text cell a string cell (never data type "f", so nothing is evaluated, whatever
    it starts with), with the quote prefix where it starts with a formula leader so that
    editing it in Excel keeps it text; numbers stay numeric cells."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "แถวที่ไม่ผ่าน"
    for r, row in enumerate([QUARANTINE_COLUMNS, *rows], start=1):
        for c, raw in enumerate(row, start=1):
            value, quoted = spreadsheet_cell(raw)
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str):
                cell.value = _XML_ILLEGAL.sub("\ufffd", value)
                cell.data_type = "s"  # openpyxl makes any "=..." a formula: undo that
                cell.quotePrefix = quoted
            else:
                cell.value = value
    workbook.save(path)


def _e(value: object) -> str:
    return html.escape(str(value))


def render(data: dict, by_province: dict[str, list[tuple]]) -> str:
    night, totals = data["night"], data["totals"]
    names = {code: (th, en) for code, th, en in data["provinces"]}
    parts = [
        "<!doctype html><html lang='th'><head><meta charset='utf-8'>",
        f"<title>Thanrak {night}: data quality / คุณภาพข้อมูล</title><style>{_CSS}</style></head><body>",
        f"<header><h1>รายงานคุณภาพข้อมูลประจำคืน {night:%d/%m}/{night.year + 543}"
        f"<br><small>Nightly data-quality report, {night.isoformat()}</small></h1></header>",
        "<section class='cards'>",
        _card("จังหวัด×ชุดข้อมูลที่ส่ง", "slots delivered (province × dataset × month)", totals["slots"]),
        _card("ไฟล์ (ฉบับ) ที่ได้รับ", "files received (revisions)", totals["files"]),
        _card("ไฟล์ที่รับ", "files loaded", totals["loaded"]),
        _card("ไฟล์ที่ไม่รับ", "files rejected", totals["rejected"], "bad" if totals["rejected"] else ""),
        _card("ส่งซ้ำ (ไฟล์เดิม)", "re-deliveries of the same file, not loaded again", totals["redeliveries"]),
        "</section><section class='cards'>",
        _card("แถวที่ได้รับ", "rows received", totals["rows"]),
        _card("แถวที่รับ", "rows loaded", totals["rows_loaded"]),
        _card(
            "แถวที่กักไว้",
            "rows quarantined",
            totals["rows_quarantined"],
            "warn" if totals["rows_quarantined"] else "",
        ),
        _card(
            "แถวในไฟล์ที่ไม่รับ",
            "rows in rejected files",
            totals["rows_rejected"],
            "bad" if totals["rows_rejected"] else "",
        ),
        "<p class='sum'>แถวที่ได้รับ = แถวที่รับ + แถวที่กักไว้ + แถวในไฟล์ที่ไม่รับ<br>"
        "rows received = rows loaded + rows quarantined + rows in rejected files "
        "(a file that could not be read at all has no rows to count)</p>",
        "</section>",
        _completeness(data, names),
        "<section class='two'>",
        "<div><h2>กฎที่ไม่ผ่านมากที่สุด <small>Rules failing most (rows of accepted files)</small></h2>",
        _bars(
            [(rule_label(dataset, rule, column), rows) for dataset, rule, column, rows in data["top_rules"]]
        ),
        "</div><div><h2>แนวโน้ม <small>Trend, recent nights</small></h2>",
        _trend(data["trend"]),
        "</div></section>",
        "<section><h2>รายจังหวัด <small>Per province: what to send back</small></h2>",
        "<input id='filter' type='search' placeholder='ค้นหาจังหวัด / filter provinces'>",
        _per_province(data, names, by_province),
        "</section>",
        "<footer><a href='data-docs/index.html'>Great Expectations Data Docs</a> · "
        f"Thanrak (ฐานราก) · generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC</footer>",
        f"<script>{_SCRIPT}</script></body></html>",
    ]
    return "\n".join(parts)


def _card(th: str, en: str, value: int, tone: str = "") -> str:
    return f"<div class='card {tone}'><b>{value:,}</b><span>{th}<br><small>{en}</small></span></div>"


def _completeness(data: dict, names: dict) -> str:
    """The slots of the night's month and of the month before (whose files fall due on the
    due_day of this month), with a legend that says what each status means."""
    due_days = sorted({due_day for *_, due_day in data["datasets"]})
    due_th = ", ".join(str(d) for d in due_days)
    legend = "".join(
        f"<li><span class='cell {s}'>{_SYMBOLS[s]}</span> <b>{th}</b> / {en}: {STATUS_MEANINGS[s][0]}"
        f" <small>({STATUS_MEANINGS[s][1]})</small></li>"
        for s, (th, en) in STATUS_LABELS.items()
    )
    return (
        "<section><h2>ความครบถ้วนของการส่งข้อมูลตามกำหนดส่ง <small>Completeness by delivery schedule: "
        f"{len(names)} provinces × {len(data['datasets'])} datasets, one file per province, dataset and month</small></h2>"
        f"<p class='legend'>ไฟล์ของแต่ละเดือนครบกำหนดส่งภายในวันที่ {due_th} ของเดือนถัดไป (ถึงสิ้นวัน เวลากรุงเทพฯ) "
        f"<small>Each month's file is due by day {due_th} of the following month, until the end of that day, "
        "Bangkok time; <b>late</b> means after the due date.</small></p>"
        f"<ul class='legend'>{legend}</ul>"
        f"<p class='note'>{BANGKOK_NOTE[0]}<br><small>{BANGKOK_NOTE[1]}</small></p>"
        + _matrix("matrix", data["period"], data["matrix"], data["datasets"], names)
        + _matrix(
            "matrix-previous", data["previous_period"], data["previous_matrix"], data["datasets"], names
        )
        + "</section>"
    )


def _matrix(table_id: str, period: str, matrix: dict, datasets: list[tuple], names: dict) -> str:
    """Datasets down, the provinces across: one small coloured cell per slot of the period, with
    a symbol so that it reads without colour too, and the names in the cell's tooltip."""
    year, month = (int(part) for part in period.split("-"))
    title = f"<h3>งวด {MONTHS_TH[month - 1]} {year + 543} <small>period {_e(period)}</small></h3>"
    if not matrix:  # slots start at the first month anything was delivered for
        return (
            f"{title}<p class='note'>ยังไม่มีงวดนี้ในคลังข้อมูล: เริ่มนับตั้งแต่งวดแรกที่มีการส่งข้อมูล"
            "<br><small>No slots for this period: completeness starts with the first month anything was "
            "delivered for.</small></p>"
        )
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for status, _ in matrix.values():
        counts[status] += 1
    head = "".join(
        f"<th class='code' title='{_e(names[code][0])} / {_e(names[code][1])}'>{_e(code)}</th>"
        for code in names
    )
    rows = []
    for dataset, th, en, _ in datasets:
        due_dates = {due for (_, d), (_, due) in matrix.items() if d == dataset}
        due = f"ครบกำหนด {_thai_date(min(due_dates))} · due {min(due_dates):%d %b %Y}" if due_dates else ""
        cells = []
        for code, (province_th, province_en) in names.items():
            status, _ = matrix[(code, dataset)]
            label_th, label_en = STATUS_LABELS[status]
            cells.append(
                f"<td class='cell {status}' title='{_e(code)} {_e(province_th)} / {_e(province_en)}: "
                f"{label_th} / {label_en}'>{_SYMBOLS[status]}</td>"
            )
        rows.append(
            f"<tr><th class='dataset'>{_e(th)}<br><small>{_e(en)}</small><br><small class='due'>{due}</small></th>"
            f"{''.join(cells)}</tr>"
        )
    totals = " ".join(
        f"<span class='cell {s}'>{th} / {en}: {counts[s]}</span>" for s, (th, en) in STATUS_LABELS.items()
    )
    return (
        f"{title}<p class='legend'>{totals}</p>"
        f"<div class='scroll'><table id='{table_id}' class='matrix'><thead><tr><th>ชุดข้อมูล / dataset</th>{head}</tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _thai_date(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year + 543}"


_SYMBOLS = {"on_time": "✓", "late": "!", "rejected": "✗", "missing": "·", "not_yet_due": "○"}


_PLACEHOLDER = re.compile(r"\{\w+\}")


def rule_label(dataset: str, rule: str, column: str) -> str:
    """'ไม่ได้กรอก: งบประมาณ (บาท) · empty: Budget (baht)', from the contract and the messages."""
    contract = load_contract(dataset)
    contract_rule = next((r for r in contract.rules if r.name == rule), None)
    # A message written for one row ("{filled} items ...") means nothing over many rows: then the
    # rule's name and its column stand for it.
    if contract_rule and not _PLACEHOLDER.search(contract_rule.message_th + contract_rule.message_en):
        return f"{contract_rule.message_th} · {contract_rule.message_en}"
    th, en = title(rule)
    if column in contract.column_names:
        header = contract.column(column)
        return f"{th}: {header.th} · {en}: {header.en}"
    return f"{th} · {en}"


def _bars(items: list[tuple[str, int]]) -> str:
    """A bar chart as a table: long Thai labels wrap instead of running into the bars."""
    if not items:
        return "<p>ไม่มี / none</p>"
    top = max(value for _, value in items) or 1
    rows = "".join(
        f"<tr><td class='label'>{_e(label)}</td><td class='track'>"
        f"<div class='hbar' style='width:{100 * value / top:.1f}%'></div></td><td class='num'>{value:,}</td></tr>"
        for label, value in items
    )
    return f"<table class='bars'>{rows}</table>"


def _trend(trend: list[tuple]) -> str:
    if not trend:
        return "<p>ไม่มี / none</p>"
    top = max(int(loaded) + int(quarantined) for _, loaded, quarantined, _ in trend) or 1
    step = min(560 / max(len(trend), 1), 40)
    bars = []
    for i, (night, loaded, quarantined, rejected) in enumerate(trend):
        x = 30 + i * step
        h_loaded, h_bad = 160 * int(loaded) / top, 160 * int(quarantined) / top
        bars.append(
            f"<rect x='{x:.1f}' y='{180 - h_loaded:.1f}' width='{step * 0.7:.1f}' height='{h_loaded:.1f}' class='bar'>"
            f"<title>{night}: {int(loaded):,} loaded, {int(quarantined):,} quarantined, {rejected} files rejected</title></rect>"
            f"<rect x='{x:.1f}' y='{180 - h_loaded - h_bad:.1f}' width='{step * 0.7:.1f}' height='{max(h_bad, 1):.1f}' class='warnbar'/>"
            f"<text x='{x:.1f}' y='196' class='small'>{night:%d/%m}</text>"
        )
    legend = (
        "<text x='30' y='12' class='small'><tspan class='barfill'>■</tspan> แถวที่รับ loaded "
        "<tspan class='warnfill'>■</tspan> แถวที่กักไว้ quarantined</text>"
    )
    return f"<svg class='chart' viewBox='0 0 600 200' role='img'>{legend}{''.join(bars)}</svg>"


def _per_province(data: dict, names: dict, by_province: dict[str, list[tuple]]) -> str:
    rejected: dict[str, list[tuple]] = {}
    for row in data["rejected_files"]:
        rejected.setdefault(row[0], []).append(row)
    sections = []
    for code in sorted(set(rejected) | set(by_province)):
        th, en = names.get(code, ("?", "unknown folder"))
        items = [
            f"<li class='rejected'><b>{_e(dataset)}</b> <code>{_e(key)}</code>: {_e(reason_th)}<br><small>{_e(reason_en)}</small></li>"
            for _, dataset, key, reason_th, reason_en in rejected.get(code, [])
        ]
        rows = by_province.get(code, [])
        if rows:
            items.append(
                f"<li>{len({(r[2], r[3]) for r in rows}):,} แถวที่ไม่ผ่าน / rows quarantined: "
                f"<a href='quarantine/quarantine-{_e(code)}.csv'>CSV</a> · <a href='quarantine/quarantine-{_e(code)}.xlsx'>XLSX</a>"
                "<table class='rows'><tr><th>ชุดข้อมูล dataset</th><th>แถว row</th><th>เหตุผล reason</th></tr>"
                + "".join(
                    f"<tr><td>{_e(r[1])}</td><td>{_e(r[3])}</td><td>{_e(r[7])}<br><small>{_e(r[8])}</small></td></tr>"
                    for r in rows[:20]
                )
                + (
                    "<tr><td colspan='3'>… (ดูทั้งหมดในไฟล์ / all rows in the file)</td></tr>"
                    if len(rows) > 20
                    else ""
                )
                + "</table></li>"
            )
        sections.append(
            f"<details class='province' data-name='{_e(code)} {_e(th)} {_e(en)}'><summary>{_e(code)} {_e(th)} / {_e(en)}"
            f" <span class='count'>{len(rejected.get(code, []))} ไฟล์ไม่รับ · {len(rows):,} ปัญหา</span></summary>"
            f"<ul>{''.join(items)}</ul></details>"
        )
    return "".join(sections) or "<p>ไม่มีปัญหา / no problems tonight</p>"


_CSS = """
body{font-family:"Noto Sans Thai","Sarabun","Loma","Garuda","Tahoma",sans-serif;margin:0;color:#1d2733;background:#f6f7f9}
header{background:#14532d;color:#fff;padding:16px 24px}h1{margin:0;font-size:22px}h1 small{font-weight:normal;opacity:.85}
section{margin:16px 24px;background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px #0002}
h2{font-size:17px;margin:4px 0 10px}h2 small{font-weight:normal;color:#555}
.cards{display:flex;flex-wrap:wrap;gap:10px;background:none;box-shadow:none;padding:0}
.sum{flex-basis:100%;margin:0 0 4px;font-size:.85em;color:#555}
.card{background:#fff;border-radius:8px;padding:10px 14px;min-width:140px;box-shadow:0 1px 2px #0002;display:flex;gap:10px;align-items:center}
.card b{font-size:22px}.card.bad b{color:#b91c1c}.card.warn b{color:#b45309}
.scroll{overflow-x:auto}.matrix{border-collapse:collapse;font-size:11px}.matrix th,.matrix td{border:1px solid #fff;padding:0}
.matrix th.dataset{text-align:left;padding:2px 8px;min-width:230px;font-weight:normal}.due{color:#555}.matrix th.code{font-weight:normal;color:#555;font-size:9px;width:14px}
.matrix td{width:14px;height:22px;text-align:center}h3{font-size:15px;margin:14px 0 4px}h3 small{font-weight:normal;color:#555}
.cell{text-align:center}.on_time{background:#bbf7d0}.late{background:#fde68a}.rejected{background:#fecaca}.missing{background:#9ca3af;color:#fff}.not_yet_due{background:#f3f4f6;color:#6b7280}
.legend .cell{padding:2px 8px;border-radius:4px;margin-right:6px}ul.legend{list-style:none;padding:0;margin:4px 0;font-size:13px}ul.legend li{margin:3px 0}.note{font-size:13px;color:#555}
.two{display:grid;grid-template-columns:1fr 1fr;gap:16px}.chart{width:100%;font-size:11px}.bar,.barfill{fill:#15803d}.warnbar,.warnfill{fill:#d97706}.small{font-size:10px}
.bars{width:100%;border-collapse:collapse;font-size:12px}.bars td{padding:3px 4px;vertical-align:middle}
.bars .label{width:55%}.bars .track{width:35%}.hbar{background:#15803d;height:14px;border-radius:2px}.bars .num{text-align:right}
.province summary{cursor:pointer;padding:4px 0}.count{color:#b45309;font-size:12px}
.rows{border-collapse:collapse;font-size:12px;margin:6px 0}.rows td,.rows th{border-bottom:1px solid #eee;padding:2px 8px;text-align:left}
li.rejected{color:#991b1b}footer{margin:16px 24px;color:#777;font-size:12px}input{padding:4px 8px;margin-bottom:8px;width:280px}
"""
_SCRIPT = """
document.body.dataset.ready = "yes";
document.getElementById('filter').addEventListener('input', function (event) {
  var text = event.target.value.toLowerCase();
  document.querySelectorAll('details.province').forEach(function (section) {
    section.style.display = section.dataset.name.toLowerCase().indexOf(text) >= 0 ? '' : 'none';
  });
});
"""
