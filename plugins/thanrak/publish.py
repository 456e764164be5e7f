"""Artefacts derived from the contract declarations: docs/submission-contract.md and the
expectation suites in expectations/. Never edited by hand: `thanrak publish-contract` rewrites
them, and tests fail when they are out of date."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from thanrak.contract.bmn_tools import bmn_tools, income_thresholds
from thanrak.contract.declarations import (
    CONTRACT_VERSION,
    DATASETS,
    Column,
    Contract,
    Rule,
    code_lists,
    load_contract,
)
from thanrak.contract.messages import MESSAGES
from thanrak.demo.generator import example_csv
from thanrak.observe.words import VOCABULARIES
from thanrak.settings import PROJECT_ROOT
from thanrak.validate.suites import SUITES_DIR, render_suite

CONTRACT_DOC = PROJECT_ROOT / "docs" / "submission-contract.md"
DATASETS_SEED = PROJECT_ROOT / "dbt_project" / "seeds" / "contract_datasets.csv"
CODE_LISTS_SEED = PROJECT_ROOT / "dbt_project" / "seeds" / "contract_code_lists.csv"
COLUMNS_SEED = PROJECT_ROOT / "dbt_project" / "seeds" / "contract_columns.csv"
OBSERVE_WORDS_SEED = PROJECT_ROOT / "dbt_project" / "seeds" / "observe_words.csv"
BMN_SEEDS = {
    name: PROJECT_ROOT / "dbt_project" / "seeds" / f"{name}.csv"
    for name in ("bmn_tools", "bmn_tool_items", "bmn_income_thresholds")
}
_TYPES = {
    "text": ("ข้อความ", "text"),
    "integer": ("จำนวนเต็ม", "whole number"),
    "decimal": ("ตัวเลข (ทศนิยมได้)", "number"),
    "date": ("วันที่", "date"),
    "month": ("เดือน", "month"),
    "flag": ("ผ่าน/ไม่ผ่าน", "pass/fail"),
    "code": ("รหัสตามรายการ", "code from a list"),
    "code_set": ("รหัสหลายค่า คั่นด้วย ;", "several codes separated by ;"),
    "area_code": ("รหัสพื้นที่", "area code"),
}
_AREA = {
    "tambon": "รหัสตำบล 6 หลัก ของจังหวัดนี้ / 6-digit tambon code of this province",
    "village": "รหัสหมู่บ้าน 8 หลัก (ตำบล + หมู่ที่) / 8-digit village code (tambon + village number)",
    "amphoe": "รหัสอำเภอ 4 หลัก ของจังหวัดนี้ / 4-digit amphoe code of this province",
    "unit": "รหัสอำเภอ 4 หลัก หรือ รหัสจังหวัด+00 / 4-digit amphoe code, or province code + 00",
}


def publish() -> list[Path]:
    """Rewrites every artefact derived from the contract declarations."""
    CONTRACT_DOC.write_text(render_contract_docs(), encoding="utf-8")
    DATASETS_SEED.write_text(render_datasets_seed(), encoding="utf-8")
    CODE_LISTS_SEED.write_text(render_code_lists_seed(), encoding="utf-8")
    COLUMNS_SEED.write_text(render_columns_seed(), encoding="utf-8")
    OBSERVE_WORDS_SEED.write_text(render_observe_words_seed(), encoding="utf-8")
    written = [CONTRACT_DOC, DATASETS_SEED, CODE_LISTS_SEED, COLUMNS_SEED, OBSERVE_WORDS_SEED]
    for name, text in render_bmn_seeds().items():
        BMN_SEEDS[name].write_text(text, encoding="utf-8")
        written.append(BMN_SEEDS[name])
    for dataset in DATASETS:
        path = SUITES_DIR / f"{dataset}.json"
        path.write_text(render_suite(dataset), encoding="utf-8")
        written.append(path)
    return written


def render_datasets_seed() -> str:
    """The datasets of the contract as a dbt seed, so marts list them without repeating them."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(["dataset", "contract_version", "title_th", "title_en", "period", "due_day", "schedule"])
    for dataset in DATASETS:
        contract = load_contract(dataset)
        out.writerow(
            [
                dataset,
                contract.version,
                contract.title_th,
                contract.title_en,
                contract.period,
                contract.due_day,
                contract.schedule,
            ]
        )
    return buffer.getvalue()


def render_code_lists_seed() -> str:
    """Every code list of the contract as one dbt seed: the dimensions read their labels here."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(["code_list", "code", "sort_order", "name_th", "name_en"])
    for name, entries in code_lists().items():
        out.writerows([name, entry.code, order, entry.th, entry.en] for order, entry in enumerate(entries, 1))
    return buffer.getvalue()


def render_columns_seed() -> str:
    """Every dataset's columns with the officers' Thai and English headers and their code list:
    the data-quality marts name a measured column (and a code of it) as the contract does."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(["dataset", "column_name", "sort_order", "name_th", "name_en", "code_list"])
    for dataset in DATASETS:
        out.writerows(
            [dataset, column.name, order, column.th, column.en, column.code_list or ""]
            for order, column in enumerate(load_contract(dataset).columns, 1)
        )
    return buffer.getvalue()


def render_observe_words_seed() -> str:
    """The words of unusual deliveries (thanrak.observe.words: checks, directions, levels,
    baselines) as a dbt seed, so that fct_dq_anomalies says what the report and the alerts say."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(["vocabulary", "word", "sort_order", "name_th", "name_en"])
    for vocabulary, words in VOCABULARIES.items():
        out.writerows(
            [vocabulary, word, order, th, en] for order, (word, (th, en)) in enumerate(words.items(), 1)
        )
    return buffer.getvalue()


def render_bmn_seeds() -> dict[str, str]:
    """The จปฐ. tools (contracts/bmn_tools.yaml) as three dbt seeds: the tools and the survey
    years each covers, their items with หมวด, and the income threshold of each survey year."""
    tables: dict[str, list[list]] = {
        "bmn_tools": [["indicator_set", "first_survey_year_be", "last_survey_year_be", "indicator_count",
                       "years_verified", "source_note"]],
        "bmn_tool_items": [["indicator_set", "item_no", "category_no", "category_th", "category_en",
                            "category_verified", "name_th", "name_verified"]],
        "bmn_income_thresholds": [["survey_year_be", "income_threshold_baht", "threshold_verified", "source_note"]],
    }  # fmt: skip
    for found in bmn_tools():
        tables["bmn_tools"].append(
            [
                found.code,
                found.first_year,
                found.last_year,
                found.item_count,
                found.years_verified,
                found.source,
            ]
        )
        for number, name in found.items.items():
            category = found.category_of(number)
            tables["bmn_tool_items"].append(
                [found.code, number, category.number, category.th, category.en, category.verified, name,
                 found.names_verified]
            )  # fmt: skip
    for threshold in income_thresholds():
        tables["bmn_income_thresholds"] += [
            [year, threshold.baht, threshold.verified, threshold.source]
            for year in range(threshold.first_year, threshold.last_year + 1)
        ]
    rendered = {}
    for name, rows in tables.items():
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(
            [str(v).lower() if isinstance(v, bool) else v for v in row] for row in rows
        )
        rendered[name] = buffer.getvalue()
    return rendered


_SCHEDULE_WORDS = {
    "monthly": "ทุกเดือน / every month",
    "when_held": "เฉพาะเดือนที่มีการดำเนินการ / only for a month in which it took place",
}


def render_contract_docs() -> str:
    lines = [
        f"# Submission contract v{CONTRACT_VERSION} / ข้อกำหนดการส่งข้อมูล ฉบับที่ {CONTRACT_VERSION}",
        "",
        "<!-- Generated from contracts/*.yaml by `thanrak publish-contract`. Do not edit. -->",
        "",
        "What every provincial CDD office sends each night, and how Thanrak reads it.",
        "สิ่งที่สำนักงานพัฒนาชุมชนจังหวัดส่งทุกคืน และวิธีที่ระบบอ่านข้อมูล",
        "",
        "## Versions / ฉบับ",
        "",
        "| dataset | ชุดข้อมูล | since / ตั้งแต่ฉบับ | files / การส่ง |",
        "|---|---|---|---|",
        *(
            f"| `{c.dataset}` | {c.title_th} | v{c.version} | {_SCHEDULE_WORDS[c.schedule]} |"
            for c in map(load_contract, DATASETS)
        ),
        "",
        "- **v1** (five datasets) is unchanged in v2: a v1 file is read exactly as before, and",
        "  `tests/contract/test_contract_v1_files.py` loads a night of v1 files against the raw rows",
        "  v1 loaded. In v2 the OTOP star level of a product comes from its OPC selection round",
        "  (`otop_ratings`); `star_rating` in `otop_sales` is still read, and used only for a product",
        "  with no round on file.",
        "- **v2** adds the programmes CDD reports on: SMART TAMBON, the Pracharath bodies' meetings and",
        "  supported projects, Khok Nong Na's seven activities and the OTOP Product Champion rounds",
        "  (docs/programmes.md).",
        "",
        "## Where to put a file / วางไฟล์ที่ใด",
        "",
        "`<รหัสจังหวัด province code>/<dataset>/<YYYY-MM>/<any name>.csv` or `.xlsx`,",
        "for example `30/activities/2026-11/activities_30_20261122.csv`. One file per province,",
        "dataset and month; a new file for the same month replaces the earlier one (every revision",
        "is kept). The same file sent twice is read once.",
        "",
        "## What a file may look like / รูปแบบไฟล์ที่รับได้",
        "",
        "- CSV in UTF-8 (with or without BOM) or Thai Windows (TIS-620 / cp874); or an Excel `.xlsx`",
        "  workbook: title rows above the header, a Thai sheet name, merged cells, blank rows and",
        "  `รวม` (total) rows are fine. `.xls` is not read: save as `.xlsx` or CSV.",
        "- Headers in Thai or English, as below; small differences in spacing are fine.",
        "- Dates: `30/09/2569` (BE) or `30/09/2026` (CE), `2026-09-30`, `1 ต.ค. 69`,",
        "  `30 กันยายน 2569`, or an Excel date cell. Two-digit years are BE. Months: `11/2569`,",
        "  `2026-11`, `พ.ย. 69`.",
        "- Numbers may use Thai digits (๐-๙) and thousands separators (`12,500.50`).",
        "- Codes may be written as the code, the Thai label or the English label.",
        "",
        "## What happens to a file / เมื่อส่งแล้ว",
        "",
        "- A file that cannot be used at all is **rejected** with a reason (Thai and English).",
        "- A row that breaks a rule is **quarantined** with every reason; the other rows are loaded.",
        "- Check a file before sending it: `thanrak check FILE`.",
        "",
    ]
    for dataset in DATASETS:
        lines += _dataset_section(load_contract(dataset))
    lines += ["## Code lists / รายการรหัส", ""]
    for name, entries in code_lists().items():
        lines += [f"### `{name}`", "", "| code | ไทย | English | also accepted |", "|---|---|---|---|"]
        lines += [f"| `{e.code}` | {e.th} | {e.en} | {', '.join(e.aliases)} |" for e in entries]
        lines.append("")
    lines += ["## Reasons a file is rejected or a row quarantined / เหตุผลที่ไม่รับ", ""]
    lines += ["| reason | ไทย | English |", "|---|---|---|"]
    lines += [f"| `{key}` | {th} | {en} |" for key, (th, en) in MESSAGES.items()]
    return "\n".join(lines) + "\n"


def _dataset_section(contract: Contract) -> list[str]:
    lines = [
        f"## `{contract.dataset}`: {contract.title_th} / {contract.title_en}",
        "",
        f"One file per province per {contract.period}, due by day {contract.due_day} of the following month"
        f" / ส่งภายในวันที่ {contract.due_day} ของเดือนถัดไป. Key (unique in a file): "
        + ", ".join(f"`{k}`" for k in contract.key)
        + ".",
        "",
        "| column | หัวคอลัมน์ | English header | type / ชนิด | required | allowed / ค่าที่รับ | also accepted |",
        "|---|---|---|---|---|---|---|",
    ]
    for column in contract.columns:
        th_type, en_type = _TYPES[column.type]
        lines.append(
            f"| `{column.name}` | {column.th} | {column.en} | {th_type} / {en_type} | "
            f"{'yes' if column.required else 'no'} | {_allowed(column)} | {', '.join(column.aliases)} |"
        )
    if contract.rules:
        lines += ["", "Rules across columns / กฎระหว่างคอลัมน์:", ""]
        lines += [
            f"- `{r.name}`: {_rule_words(r, r.message_th)} / {_rule_words(r, r.message_en)} (row quarantined)"
            for r in contract.rules
        ]
    if contract.date_column:
        lines += ["", f"`{contract.date_column}` must fall inside the file's month / ต้องอยู่ในเดือนของไฟล์."]
    if contract.pii_column:
        lines += [
            "",
            f"**PDPA:** `{contract.pii_column}` is a SHA-256 hash. A file with citizen IDs or house IDs in",
            "clear is rejected whole and nothing from it is stored. / ห้ามส่งเลขประจำตัวประชาชนหรือรหัสบ้าน",
        ]
    lines += ["", "Example / ตัวอย่าง:", "", "```csv", example_csv(contract), "```", ""]
    return lines


def _rule_words(rule: Rule, message: str) -> str:
    """A rule's message as the contract document shows it: its bounds filled in, each value it
    names shown by column name, and what only a failing row can tell as "…"."""

    class Fields(dict):
        def __missing__(self, key):
            return f"`{key}`" if key in rule.columns else "…"

    bounds = {
        name: _number(value) for name, value in (("min", rule.min), ("max", rule.max)) if value is not None
    }
    return message.format_map(Fields(bounds))


def _allowed(column: Column) -> str:
    parts = []
    if column.type in ("code", "code_set"):
        parts.append(f"list `{column.code_list}`")
    if column.type == "area_code":
        parts.append(_AREA[column.level])
    if column.min is not None or column.max is not None:
        parts.append(f"{_number(column.min)} – {_number(column.max)}")
    if column.unit:
        parts.append(column.unit)
    if column.pattern:
        parts.append(f"`{column.pattern}`")
    if column.note:
        parts.append(column.note)
    return "; ".join(parts)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"
