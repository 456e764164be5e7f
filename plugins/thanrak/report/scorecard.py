"""The five-gear scorecard as the demo prints it: the national roll-up of a night's fiscal quarter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import psycopg

_FIELDS = (
    "gear", "gear_th", "gear_en", "code", "name_th", "name_en", "unit", "unit_th", "period_type",
    "target_period", "value", "target", "attainment", "provinces_with_data", "provinces_meeting_target",
)  # fmt: skip
PERIOD_LABELS = {"within_quarter": "ในไตรมาส / in the quarter", "fy_to_date": "สะสมต้นปีงบฯ / FY to date"}
TARGET_LABELS = {"annual": "ทั้งปี / annual", "quarterly": "ของไตรมาส / the quarter's"}


def national_scorecard(conn: psycopg.Connection, night: dt.date) -> dict:
    """The fiscal quarter the night falls in: how many provinces × gears the scorecard holds, and
    per indicator the national value, target and attainment (from marts.fct_scorecard_national)."""
    fiscal_year_be, fiscal_quarter, label = conn.execute(
        "select fiscal_year_be, fiscal_quarter, fiscal_quarter_label from ref.calendar where date_day = %s",
        (night,),
    ).fetchone()
    provinces, gears, with_data = conn.execute(
        """select count(distinct province_code), count(distinct gear_code),
                  count(distinct province_code) filter (where has_data)
           from marts.fct_scorecard where fiscal_year_be = %s and fiscal_quarter = %s""",
        (fiscal_year_be, fiscal_quarter),
    ).fetchone()
    indicators = conn.execute(
        """select n.gear_code, g.name_th, g.name_en, n.indicator_code, i.name_th, i.name_en, n.unit, n.unit_th,
                  n.period_type, n.target_period, n.indicator_value, n.target, n.attainment,
                  n.provinces_with_data, n.provinces_meeting_target
           from marts.fct_scorecard_national n
           join marts.dim_gear g using (gear_code)
           join marts.dim_indicator i using (indicator_key)
           where n.fiscal_year_be = %s and n.fiscal_quarter = %s
           order by n.gear_code, n.indicator_code""",
        (fiscal_year_be, fiscal_quarter),
    ).fetchall()
    return {
        "quarter": label,
        "provinces": provinces,
        "gears": gears,
        "provinces_with_data": with_data,
        "indicators": [dict(zip(_FIELDS, row, strict=True)) for row in indicators],
    }


def amount(value: Decimal | None, unit: str, unit_th: str) -> str:
    """'ร้อยละ 42.80 (%)' for a percentage, '1,706 ครัวเรือน-ครั้ง (household-times)' for a count."""
    if value is None:
        return ""
    number = f"{value:,.0f}" if value == value.to_integral_value() and unit != "percent" else f"{value:,.2f}"
    return f"ร้อยละ {number} (%)" if unit == "percent" else f"{number} {unit_th} ({unit})"


def render_scorecard(scorecard: dict) -> str:
    lines = [
        f"Five-gear scorecard / ผลตัวชี้วัด 5 ฟันเฟือง, fiscal quarter {scorecard['quarter']}: "
        f"{scorecard['provinces']} provinces × {scorecard['gears']} gears "
        f"({scorecard['provinces_with_data']} with data); Bangkok, not in the CDD network, is left out / "
        "ไม่รวมกรุงเทพมหานคร",
        "| gear / ฟันเฟือง | indicator / ตัวชี้วัด | period / ช่วง | national value / ค่าระดับประเทศ "
        "| target / เป้าหมาย | attainment | provinces meeting target |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for i in scorecard["indicators"]:
        value = amount(i["value"], i["unit"], i["unit_th"]) or "no data / ไม่มีข้อมูล"
        target = amount(i["target"], i["unit"], i["unit_th"])
        if target:
            target += f", {TARGET_LABELS[i['target_period']]}"
        attainment = "" if i["attainment"] is None else f"{i['attainment']:.0%}"
        lines.append(
            f"| {i['gear']} {i['gear_th']} / {i['gear_en']} | {i['name_th']} / {i['name_en']} | "
            f"{PERIOD_LABELS[i['period_type']]} | {value} | {target} | {attainment} | "
            f"{i['provinces_meeting_target']} of {i['provinces_with_data']} |"
        )
    return "\n".join(lines)
