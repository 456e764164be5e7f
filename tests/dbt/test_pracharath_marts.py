"""Pracharath's marts on a few months of generated files: the meeting and project facts hold the
rows of the files in force (a resubmitted month replaces its first file's rows, also in an
incremental build, which equals a full refresh), the project dimension takes each project's
first and latest months and its latest status, the bridges have one row per partner sector, the
scorecard measures count the quarter's meetings, the share of resolutions carried out and the
projects' revenue (and their fiscal year to date), and the bi views name every code.

Every expectation is computed here: from the generator's registry (thanrak.demo.entities.reported:
the meetings of each body, the projects' status, support, members and revenue), or from the raw
rows of the files in force (ops.submission's latest loaded revision of each slot) for what the
registry leaves to chance (meeting dates, attendees, resolutions, partner sectors).

Provinces 40 and 90, the two datasets, clean files: three months of fiscal year 2569 (quarters
1, 2 and 4) and one of 2570, built; then February resubmitted by province 40 (another seed: other
projects' figures, other meetings) and built again incrementally."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from support.nights import ingest_night
from thanrak.contract.declarations import code_lists
from thanrak.demo import entities
from thanrak.demo.generator import generate_night
from thanrak.pipeline import Stages
from thanrak.transform.dbt_build import run_dbt

PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
PROVINCES = ["40", "90"]
DATASETS = ("pracharath_meetings", "pracharath_projects")
SEED, RESUBMISSION_SEED = 2569, 7
SCALE = 1.0
NIGHTS = [
    dt.date(2025, 11, 20),
    dt.date(2026, 2, 20),
    dt.date(2026, 9, 20),
    dt.date(2026, 10, 20),
]
RESUBMISSION = dt.date(2026, 2, 25)  # province 40 sends February again
FACTS = {"fct_pracharath_meetings": "meeting_key", "fct_pracharath_projects": "project_report_key"}
# Cautious: the tests of other facts on dim_submission (not built here) are left out.
SELECT = [
    "--indirect-selection",
    "cautious",
    "--select",
    "+pracharath_meetings",
    "+pracharath_projects_monthly",
    "+int_scorecard_pracharath_measures",
    "+bridge_pracharath_meeting_partner_sector",
    "+bridge_pracharath_project_partner_sector",
    "+dim_submission",
]
# The raw rows of the files in force: each slot's latest loaded revision, from the manifest.
IN_FORCE = """
    with latest as (
        select distinct on (province_code, dataset, period) submission_id, province_code, dataset, period
        from ops.submission where status = 'loaded' and dataset = %s
        order by province_code, dataset, period, revision desc
    )
    select latest.province_code, raw.*
    from raw.{table} as raw inner join latest using (submission_id)
"""


STANDING = [
    "body_code", "area_key", "sector_code", "value_chain_stage_code", "status_code",
    "support_baht", "members", "revenue_baht",
]  # fmt: skip


def key(*parts: object) -> str:
    """A surrogate key as the marts make it: md5 of the parts joined by '|'."""
    return hashlib.md5("|".join(str(p) for p in parts).encode()).hexdigest()


def money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


def fiscal_year_be(month: dt.date) -> int:
    return month.year + 543 + (month.month >= 10)


def fiscal_quarter(month: dt.date) -> int:
    return (month.month - 10) % 12 // 3 + 1


def registry_projects(in_force: dict[tuple[str, dt.date], int]) -> dict[tuple[str, str, dt.date], dict]:
    """(province, project, month) -> the registry's row of the files in force."""
    found = {}
    for (province, month), seed in in_force.items():
        for row in entities.reported("pracharath_projects", seed, province, month, SCALE):
            found[province, row["project_id"], month] = {k: entities.code_of(v) for k, v in row.items()}
    return found


def snapshot(conn) -> dict[str, tuple[int, str]]:
    """Row count and a digest of every row of each fact, in key order, but for built_at."""
    return {
        fact: conn.execute(
            f"select count(*), md5(coalesce(string_agg((to_jsonb(t) - 'built_at')::text, '|' order by {key}), ''))"
            f" from marts.{fact} t"
        ).fetchone()
        for fact, key in FACTS.items()
    }


def dict_rows(conn, query: str, *params) -> list[dict]:
    cursor = conn.execute(query, params)
    names = [column.name for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def built(warehouse, tmp_path_factory):
    from thanrak.settings import Settings

    settings = dataclasses.replace(
        Settings.in_folder(tmp_path_factory.mktemp("pracharath") / "var"), dbt_project_dir=PROJECT
    )
    stages = Stages(warehouse, settings)
    stages.prepare_warehouse()
    clean = {"datasets": DATASETS, "scale": SCALE, "file_defects": 0, "defect_rate": 0.0}
    for night in NIGHTS:
        generate_night(settings.landing_dir, night, provinces=PROVINCES, **clean)
        ingest_night(stages, night)
    outcome = run_dbt(warehouse, ["build", *SELECT], settings)
    assert outcome.success, outcome.failures
    with psycopg.connect(warehouse) as conn:
        first_build = snapshot(conn)
        first_rows = {
            row["project_report_key"]: row["revenue_baht"]
            for row in dict_rows(conn, "select * from marts.fct_pracharath_projects")
        }

    generate_night(
        settings.landing_dir, RESUBMISSION, provinces=PROVINCES[:1], seed=RESUBMISSION_SEED, **clean
    )
    ingest_night(stages, RESUBMISSION)
    outcome = run_dbt(warehouse, ["build", *SELECT], settings)  # incremental: the new revision
    assert outcome.success, outcome.failures
    with psycopg.connect(warehouse) as conn:
        incremental = snapshot(conn)
        raw = {dataset: dict_rows(conn, IN_FORCE.format(table=dataset), dataset) for dataset in DATASETS}
    # The facts from scratch, and what reads them (a fact's full refresh drops its dependent views),
    # but not the scorecard, which reads the other programmes' measures too (not built here).
    outcome = run_dbt(
        warehouse,
        [
            "run",
            "--full-refresh",
            "--select",
            *(f"{f}+" for f in FACTS),
            "--exclude",
            "int_scorecard_measures_by_quarter+",
        ],
        settings,
    )
    assert outcome.success, outcome.failures
    with psycopg.connect(warehouse) as conn:
        full_refresh = snapshot(conn)

    in_force = {(p, night.replace(day=1)): SEED for p in PROVINCES for night in NIGHTS}
    in_force["40", RESUBMISSION.replace(day=1)] = RESUBMISSION_SEED
    projects = registry_projects(in_force)
    # An XLSX file merges the tambon cells of its first two rows, as offices do (the generator's
    # file shape): the second project's tambon is then the first's. The raw rows say which.
    for r in raw["pracharath_projects"]:
        projects[r["province_code"], r["project_id"], r["report_month"]]["tambon_code"] = r["tambon_code"]
    return {
        "url": warehouse,
        "in_force": in_force,
        "projects": projects,
        "raw": raw,
        "first_build": first_build,
        "first_rows": first_rows,
        "incremental": incremental,
        "full_refresh": full_refresh,
    }


def query(built: dict, sql: str) -> list[dict]:
    with psycopg.connect(built["url"]) as conn:
        return dict_rows(conn, sql)


def test_an_incremental_build_equals_a_full_refresh(built):
    """The resubmission changed both facts (guard), and the incremental build that merged it
    holds exactly what a full refresh builds."""
    assert built["incremental"] != built["first_build"]
    assert built["incremental"] == built["full_refresh"]


def test_the_meeting_fact_holds_the_meetings_of_the_files_in_force(built):
    """Each body's one meeting a month (the registry), once, with the raw row in force's date,
    attendees, resolutions and partner sectors; the February meetings of province 40 are the
    resubmission's (revision 2)."""
    facts = query(built, "select * from marts.fct_pracharath_meetings")
    expected_meetings = {
        (province, entities.code_of(row["body"]), month, row["meeting_no"])
        for (province, month), seed in built["in_force"].items()
        for row in entities.reported("pracharath_meetings", seed, province, month, SCALE)
    }
    assert {
        (f["province_code"], f["body_code"], f["date_key"].replace(day=1), f["meeting_no"]) for f in facts
    } == expected_meetings
    assert len(facts) == len(expected_meetings)
    raw = {
        (r["province_code"], r["body"], r["meeting_date"]): (
            r["attendees"], r["resolutions"], r["resolutions_done"], ",".join(r["partner_sectors"])
        )
        for r in built["raw"]["pracharath_meetings"]
    }  # fmt: skip
    assert {
        (f["province_code"], f["body_code"], f["date_key"]): (
            f["attendees"], f["resolutions"], f["resolutions_done"], f["partner_sector_codes"]
        )
        for f in facts
    } == raw  # fmt: skip
    february = {f["revision"] for f in facts if f["province_code"] == "40" and f["period"] == "2026-02"}
    assert february == {2}


def test_the_project_fact_holds_the_registry_standing_of_each_month(built):
    """Every project × month of the files in force, keyed by province and project, with the
    registry's status, body, tambon, sector, value-chain stage, support to date, members and
    revenue; the February rows of province 40 are the resubmission's, whose figures differ."""
    facts = query(built, "select * from marts.fct_pracharath_projects")
    expected = {
        (key(province, project), month): {
            "body_code": row["body"],
            "area_key": row["tambon_code"],
            "sector_code": row["sector"],
            "value_chain_stage_code": row["value_chain_stage"],
            "status_code": row["status"],
            "support_baht": money(row["support_baht"]),
            "members": row["members"],
            "revenue_baht": money(row["revenue_baht"]),
        }
        for (province, project, month), row in built["projects"].items()
    }
    found = {(f["project_key"], f["date_key"]): {name: f[name] for name in STANDING} for f in facts}
    assert found == expected
    assert len(facts) == len(expected)
    february = [f for f in facts if f["province_code"] == "40" and f["period"] == "2026-02"]
    assert february and {f["revision"] for f in february} == {2}
    first = built["first_rows"]
    assert any(first.get(f["project_report_key"]) != f["revenue_baht"] for f in february)


def test_the_project_dimension_takes_each_project_at_its_latest_month(built):
    """One row per province × project: first and latest report month and the number of months
    among the files in force, the latest month's name, body, registration, tambon, sector, stage
    and status (a project planned in its first month is ongoing or completed by its latest)."""
    months = defaultdict(list)
    for (province, project, month), row in built["projects"].items():
        months[province, project].append((month, row))
    expected = {}
    for (province, project), reports in months.items():
        latest_month, latest = max(reports, key=lambda report: report[0])
        expected[key(province, project)] = (
            project, province, latest["project_name"], latest["body"], latest["enterprise_id"],
            latest["enterprise_id"] is not None, latest["tambon_code"], latest["sector"],
            latest["value_chain_stage"], min(month for month, _ in reports), latest_month, len(reports),
            latest["status"],
        )  # fmt: skip
    found = {
        row["project_key"]: tuple(row.values())[1:]
        for row in query(built, "select * from marts.dim_pracharath_project")
    }
    assert found == expected
    # (guard: the months differ between projects, and some project changed status on the way)
    assert len({values[9] for values in expected.values()}) > 1
    assert any(len({row["status"] for _, row in reports}) > 1 for reports in months.values())


def test_the_bridges_have_one_row_per_partner_sector(built):
    meetings = {
        (key(r["province_code"], r["body"], r["meeting_date"]), r["province_code"], sector)
        for r in built["raw"]["pracharath_meetings"]
        for sector in r["partner_sectors"]
    }
    found = query(built, "select * from marts.bridge_pracharath_meeting_partner_sector")
    assert {tuple(row.values()) for row in found} == meetings and len(found) == len(meetings)
    projects = {
        (key(r["province_code"], r["project_id"], r["report_month"]), r["province_code"], sector)
        for r in built["raw"]["pracharath_projects"]
        for sector in r["partner_sectors"]
    }
    found = query(built, "select * from marts.bridge_pracharath_project_partner_sector")
    assert {tuple(row.values()) for row in found} == projects and len(found) == len(projects)
    assert any(len(r["partner_sectors"]) > 1 for r in built["raw"]["pracharath_projects"])


def test_the_scorecard_measures_of_each_quarter_and_of_the_fiscal_year_to_date(built):
    """Per province and fiscal quarter with data: meetings held (the registry's, two bodies a
    month), resolutions carried out over resolutions (the raw rows in force), the projects'
    revenue (the registry's); each fiscal year to date the sum of its quarters so far."""
    quarters: dict[tuple, list] = defaultdict(lambda: [Decimal(0), None])
    for (province, month), seed in built["in_force"].items():
        meetings = entities.reported("pracharath_meetings", seed, province, month, SCALE)
        quarters[province, fiscal_year_be(month), fiscal_quarter(month), "G5-PRACHARATH-MEETINGS"][0] += len(
            meetings
        )
    for r in built["raw"]["pracharath_meetings"]:
        month = r["meeting_date"]
        cell = quarters[
            r["province_code"], fiscal_year_be(month), fiscal_quarter(month), "G5-PRACHARATH-RESOLUTIONS"
        ]
        cell[0] += r["resolutions_done"]
        cell[1] = (cell[1] or Decimal(0)) + r["resolutions"]
    for (province, _, month), row in built["projects"].items():
        cell = quarters[province, fiscal_year_be(month), fiscal_quarter(month), "G3-PRACHARATH-REVENUE"]
        cell[0] += money(row["revenue_baht"])
    expected = {}
    for (province, year, quarter, indicator), (numerator, denominator) in quarters.items():
        so_far = [
            values
            for (p, y, q, i), values in quarters.items()
            if (p, y, i) == (province, year, indicator) and q <= quarter
        ]
        to_date_denominator = None if denominator is None else sum(values[1] for values in so_far)
        expected[province, year, quarter, indicator] = (
            numerator, denominator, sum(values[0] for values in so_far), to_date_denominator
        )  # fmt: skip
    found = {
        tuple(row.values())[:4]: tuple(row.values())[4:]
        for row in query(built, "select * from intermediate.int_scorecard_pracharath_measures")
    }
    assert found == expected
    # (guard: the fiscal year to date adds up several quarters: 2569's Q1, Q2 and Q4)
    assert {(y, q) for _, y, q, _ in expected} == {(2569, 1), (2569, 2), (2569, 4), (2570, 1)}
    assert expected["90", 2569, 4, "G5-PRACHARATH-MEETINGS"][2] == 6  # two bodies, three months


def test_the_bi_views_name_every_code(built):
    """One row per meeting and per project × month, each code with its Thai and English names
    of the code lists, the province's name, the month's fiscal quarter, the project's latest
    name and the tambon's amphoe; the figures are the facts'."""
    lists = code_lists()
    names = {
        (list_name, entry.code): (entry.th, entry.en)
        for list_name in (
            "pracharath_body",
            "project_status",
            "sector",
            "value_chain_stage",
            "partner_sector",
        )
        for entry in lists[list_name]
    }
    order = {entry.code: index for index, entry in enumerate(lists["partner_sector"])}
    meetings = query(built, "select * from bi.pracharath_meetings")
    assert len(meetings) == len(built["raw"]["pracharath_meetings"])
    for row in meetings:
        assert (row["body_th"], row["body_en"]) == names["pracharath_body", row["body_code"]]
        assert row["province_name_th"] and row["province_name_en"]
        assert row["month_start_date"] == row["meeting_date"].replace(day=1)
        month = row["meeting_date"]
        assert (row["fiscal_year_be"], row["fiscal_quarter"]) == (
            fiscal_year_be(month),
            fiscal_quarter(month),
        )
        codes = sorted(row["partner_sector_codes"].split(","), key=order.get)
        assert row["partner_sectors_th"] == ", ".join(names["partner_sector", c][0] for c in codes)
        assert row["partner_sectors_present"] == len(codes)

    projects = query(built, "select * from bi.pracharath_projects_monthly")
    assert len(projects) == len(built["projects"])
    latest_names = {}
    for (province, project, _), row in sorted(built["projects"].items(), key=lambda item: item[0][2]):
        latest_names[province, project] = row["project_name"]
    for row in projects:
        for list_name, column in [
            ("pracharath_body", "body"),
            ("project_status", "status"),
            ("sector", "sector"),
            ("value_chain_stage", "value_chain_stage"),
        ]:
            assert (row[f"{column}_th"], row[f"{column}_en"]) == names[list_name, row[f"{column}_code"]]
        assert row["project_name"] == latest_names[row["province_code"], row["project_id"]]
        assert row["amphoe_code"] == row["tambon_code"][:4] and row["tambon_name_th"]
        assert row["province_name_th"] and row["fiscal_year_be"] == fiscal_year_be(row["month_start_date"])
    revenue = sum(money(row["revenue_baht"]) for row in built["projects"].values())
    assert sum(row["revenue_baht"] for row in projects) == revenue
