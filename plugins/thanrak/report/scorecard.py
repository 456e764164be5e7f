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
        "fiscal_year_be": fiscal_year_be,
        "fiscal_quarter": fiscal_quarter,
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


TREND_QUARTERS = 8


def scorecard_page(conn: psycopg.Connection, night: dt.date) -> dict:
    """What scorecard.html shows for the night's fiscal quarter, from the bi views a dashboard
    reads too: the national indicators against their targets, each gear's quarters, and every
    province × gear as indicators meeting their target out of those with data, ranked."""
    national = national_scorecard(conn, night)
    fiscal_year_be, fiscal_quarter = national["fiscal_year_be"], national["fiscal_quarter"]
    gears = [
        dict(zip(("code", "th", "en"), row, strict=True))
        for row in conn.execute("select gear_code, name_th, name_en from marts.dim_gear order by gear_code")
    ]
    trends = [
        dict(zip(("gear_code", "gear_th", "quarter_th", "quarter_start", "attainment"), row, strict=True))
        for row in conn.execute(
            """select gear_code, gear_name_th, fiscal_quarter_label_th, quarter_start_date, mean_attainment
               from bi.gear_trends
               where quarter_start_date in (
                   select distinct quarter_start_date from bi.gear_trends
                   where (fiscal_year_be, fiscal_quarter) <= (%s, %s)
                   order by quarter_start_date desc limit %s)
               order by quarter_start_date, gear_code""",
            (fiscal_year_be, fiscal_quarter, TREND_QUARTERS),
        )
    ]
    cells = conn.execute(
        """select province_code, province_name_th, province_name_en, region_th, region_en, gear_code,
                  count(*) filter (where has_data), count(*) filter (where meets_target),
                  avg(least(attainment, 1)) filter (where has_data)
           from bi.scorecard where fiscal_year_be = %s and fiscal_quarter = %s
           group by 1, 2, 3, 4, 5, 6
           order by min(province_code) over (partition by region_th), province_code, gear_code""",
        (fiscal_year_be, fiscal_quarter),
    ).fetchall()
    provinces: dict[str, dict] = {}
    for code, th, en, region_th, region_en, gear, with_data, meeting, attainment in cells:
        province = provinces.setdefault(
            code, {"code": code, "th": th, "en": en, "region": (region_th, region_en), "gears": {}}
        )
        province["gears"][gear] = {"with_data": with_data, "meeting": meeting, "attainment": attainment}
    for province in provinces.values():
        with_data = sum(g["with_data"] for g in province["gears"].values())
        meeting = sum(g["meeting"] for g in province["gears"].values())
        attained = [g["attainment"] * g["with_data"] for g in province["gears"].values() if g["with_data"]]
        province["total"] = {
            "with_data": with_data,
            "meeting": meeting,
            "attainment": sum(attained) / with_data if with_data else None,
        }
    _rank(list(provinces.values()))
    return {
        "night": night,
        "quarter": national["quarter"],
        "quarter_th": f"ไตรมาส {fiscal_quarter}/{fiscal_year_be}",
        "national": national,
        "gears": gears,
        "trends": trends,
        "provinces": list(provinces.values()),
    }


def _rank(provinces: list[dict]) -> None:
    """Rank 1 is the province meeting the largest share of its indicators' targets, ties broken
    by mean attainment (each indicator counted at most at 100 %); equal provinces share a rank;
    a province with no data has no rank."""

    def score(p: dict) -> tuple:
        total = p["total"]
        return (total["meeting"] / total["with_data"], total["attainment"])

    ranked = sorted((p for p in provinces if p["total"]["with_data"]), key=score, reverse=True)
    for p in provinces:
        p["rank"] = None
    previous, rank = None, 0
    for position, p in enumerate(ranked, start=1):
        if score(p) != previous:
            rank, previous = position, score(p)
        p["rank"] = rank
