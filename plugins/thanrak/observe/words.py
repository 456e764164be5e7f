"""An unusual measure in words a planner or a provincial officer reads, Thai first: what was
measured, what it was, what it usually is. The one place these words are made: the report, the
alerts and `thanrak check` use them.
"""

from __future__ import annotations

from collections.abc import Mapping

from thanrak.contract.declarations import code_lists, load_contract
from thanrak.observe.method import Judgement

# The vocabularies below are also the dbt seed observe_words (thanrak publish-contract), from
# which the marts take the same words; in each, the entries in their order (levels: low to high).
# A check's family in words; a check of a column adds the column's header ("ยอดรวม: ยอดจำหน่าย (บาท)").
CHECKS = {
    "rows": ("จำนวนแถว", "Rows"),
    "days_late": ("วันที่ส่งเทียบกำหนด (วัน)", "Days after the due date"),
    "sum": ("ยอดรวม", "Total"),
    "null_share": ("สัดส่วนช่องว่าง", "Share left empty"),
    "code_shift": ("สัดส่วนรหัส", "Code shares"),
}
DIRECTIONS = {
    "higher": ("สูงกว่าปกติ", "higher than usual"),
    "lower": ("ต่ำกว่าปกติ", "lower than usual"),
    "shifted": ("สัดส่วนรหัสเปลี่ยนไปจากปกติ", "code shares changed"),
    "later": ("ส่งช้ากว่าปกติ", "later than usual"),
}
LEVELS = {"low": ("ต่ำ", "low"), "medium": ("ปานกลาง", "medium"), "high": ("สูง", "high")}
BASELINES = {
    "own": ("ประวัติของจังหวัดเอง", "the province's own history"),
    "own_fiscal_month": ("เดือนเดียวกันของปีก่อน ๆ", "the same month of earlier years"),
    "peers": ("จังหวัดอื่นในภาคเดียวกัน", "the other provinces of the region"),
}
VOCABULARIES = {"check": CHECKS, "direction": DIRECTIONS, "level": LEVELS, "baseline": BASELINES}


def check_label(dataset: str, check: str) -> tuple[str, str]:
    """('ยอดรวม: ยอดจำหน่าย (บาท)', 'Total: Revenue (baht)') for sum:revenue_baht."""
    kind, _, column = check.partition(":")
    label_th, label_en = CHECKS[kind]
    if not column:
        return label_th, label_en
    declared = load_contract(dataset).column(column)
    return f"{label_th}: {declared.th}", f"{label_en}: {declared.en}"


def code_name(dataset: str, check: str, code: str) -> tuple[str, str]:
    """A code of a code_shift check's column, by its Thai and English names."""
    column = load_contract(dataset).column(check.partition(":")[2])
    entry = next((c for c in code_lists()[column.code_list] if c.code == code), None)
    return (entry.th, entry.en) if entry else (code, code)


def value_text(check: str, value: float) -> str:
    """A measure's value as the report prints it: rows and totals with thousands separators,
    shares in %, days to one decimal."""
    kind = check.partition(":")[0]
    if kind in ("null_share", "code_shift"):
        return f"{value:.0%}"
    if kind == "days_late":
        return f"{value:+.1f}"
    return f"{value:,.0f}"


def describe(facts: Mapping) -> tuple[str, str]:
    """One line each in Thai and English: 'OTOP sales, province 34, 2026-11: Rows 120, usually
    240–410 (lower than usual, level high)'. `facts` as thanrak.observe.night.anomaly_facts."""
    dataset, check = facts["dataset"], facts["check"]
    label_th, label_en = check_label(dataset, check)
    direction_th, direction_en = DIRECTIONS[facts["direction"]]
    level_th, level_en = LEVELS[facts["level"]]
    contract = load_contract(dataset)
    where_th = f"{contract.title_th} จังหวัด {facts['province']} งวด {facts['period']}"
    where_en = f"{contract.title_en}, province {facts['province']}, {facts['period']}"
    if check.startswith("code_shift:"):
        code_th, code_en = code_name(dataset, check, facts["detail"]["code"])
        share, usual = facts["detail"]["share"], facts["detail"]["usual_share"]
        what_th = f"{label_th}: {code_th} {share:.0%} ปกติ {usual:.0%}"
        what_en = f"{label_en}: {code_en} {share:.0%}, usually {usual:.0%}"
    else:
        observed = value_text(check, facts["observed"])
        usual = f"{value_text(check, facts['expected_low'])}–{value_text(check, facts['expected_high'])}"
        what_th = f"{label_th} {observed} ปกติ {usual}"
        what_en = f"{label_en} {observed}, usually {usual}"
    return (
        f"{where_th}: {what_th} ({direction_th}, ระดับ{level_th})",
        f"{where_en}: {what_en} ({direction_en}, level {level_en})",
    )


def volume_warning(rows: int, judgement: Judgement) -> list[str]:
    """`thanrak check`'s warning when a file's rows are far from the province's usual (an office
    may have exported the wrong month, or one amphoe only); nothing when they are not."""
    if judgement.direction is None:
        return []
    fewer = judgement.direction == "lower"
    usual = f"{judgement.expected_low:,.0f}–{judgement.expected_high:,.0f}"
    return [
        "คำเตือน / WARNING (ไฟล์ไม่ถูกปฏิเสธเพราะเหตุนี้ / the file is not rejected for this):",
        f"  ไฟล์นี้มี {rows:,} แถว ปกติจังหวัดนี้ส่ง {usual} แถว ({'น้อย' if fewer else 'มาก'}กว่าปกติมาก)"
        " โปรดตรวจว่าส่งออกข้อมูลถูกเดือนและครบทุกอำเภอ",
        f"  This file has {rows:,} rows; the province usually sends {usual} "
        f"({'far fewer' if fewer else 'far more'} than usual): check that the right month was exported, "
        "with every amphoe",
    ]
