"""Khok Nong Na's seven activities through the marts: fct_knn_activities holds the rows of the
files in force (a resubmission replaces its slot's rows, incrementally), the generator's people
per amphoe, activity and group arrive unchanged (Ubon Ratchathani's 25 amphoe, activities 1-6,
activity 3 by the three groups it hires), bi.knn_activities_by_amphoe names them in Thai first,
and the scorecard measures (G1-KNN-HIRES, G2-KNN-TRAINEES, G3-KNN-ORGANIC) add up each fiscal
quarter and the fiscal year to date.

Three months of two provinces (June and September 2569 BE: FY2569 Q3 and Q4; October: FY2570 Q1,
where the fiscal year to date starts again), built once; then Ubon resubmits October from another
seed and the build appends that revision and drops the first one's rows. Every expected value
is computed here from the raw tables and the submission manifest, or from the generator's
registry, never from the marts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import psycopg
import pytest

from support.nights import ingest_night
from thanrak.contract.declarations import code_lists
from thanrak.demo.entities import amphoes, reported
from thanrak.demo.generator import generate_night
from thanrak.pipeline import Stages
from thanrak.settings import Settings
from thanrak.transform.dbt_build import run_dbt

DATASET = "knn_activities"
PROVINCES = ["34", "57"]  # Ubon Ratchathani (25 amphoe) and Chiang Rai
SCALE = 0.02
SEED, RESUBMISSION_SEED = 2569, 7
# (night, seed, provinces, defect rate): clean nights, whose rows are the registry's, but for
# October's first delivery, where some rows are quarantined (the raw tables say which are in).
NIGHTS = [
    (dt.date(2026, 6, 5), SEED, PROVINCES, 0.0),
    (dt.date(2026, 9, 5), SEED, PROVINCES, 0.0),
    (dt.date(2026, 10, 3), SEED, PROVINCES, 0.05),
]
RESUBMISSION = (dt.date(2026, 10, 17), RESUBMISSION_SEED, ["34"], 0.0)
# Cautious: a test is built only when every model it reads is (other marts' tests of dim_area
# are left out).
SELECT = [
    "--select",
    "+knn_activities_by_amphoe",
    "+int_scorecard_knn_activity_measures",
    "+dim_submission",
    "--indirect-selection",
    "cautious",
]
KEY = ("province_code", "amphoe_code", "month", "activity", "group")


def _deliver(stages: Stages, settings: Settings, night, seed, provinces, defect_rate) -> None:
    generate_night(
        settings.landing_dir,
        night,
        seed=seed,
        provinces=provinces,
        datasets=(DATASET,),
        scale=SCALE,
        defect_rate=defect_rate,
        file_defects=0,
    )
    ingest_night(stages, night)


def _build(url: str, settings: Settings) -> list[str]:
    """The selection's build; the names of the nodes it ran (models, tests, unit tests)."""
    outcome = run_dbt(url, ["build", *SELECT], settings)
    assert outcome.success, outcome.failures
    return [node["name"] for node in outcome.nodes]


def rows_in_force(url: str) -> dict[tuple, dict]:
    """raw.knn_activities rows of each slot's latest loaded revision (ops.submission), by key."""
    with psycopg.connect(url) as conn:
        submissions = conn.execute(
            "select submission_id, province_code, period, revision from ops.submission"
            " where dataset = %s and status = 'loaded'",
            (DATASET,),
        ).fetchall()
        latest: dict[tuple, tuple[int, int]] = {}
        for submission_id, province, period, revision in submissions:
            if (province, period) not in latest or revision > latest[(province, period)][1]:
                latest[(province, period)] = (submission_id, revision)
        province_of = {sid: province for (province, _), (sid, _) in latest.items()}
        raw = conn.execute(
            "select submission_id, amphoe_code, report_month, activity, participant_group, people,"
            " wages_baht, sites, certified, spend_baht from raw.knn_activities"
        ).fetchall()
    found = {}
    for sid, amphoe, month, activity, group, people, wages, sites, certified, spend in raw:
        if sid in province_of:
            key = (province_of[sid], amphoe.strip(), month, activity, group)
            assert key not in found
            found[key] = {
                "people": people,
                "wages_baht": wages,
                "sites": sites,
                "certified": certified,
                "spend_baht": spend,
                "submission_id": sid,
            }
    return found


def fact_rows(
    url: str, relation: str = "marts.fct_knn_activities", month: str = "date_key"
) -> dict[tuple, dict]:
    with psycopg.connect(url) as conn:
        cursor = conn.execute(
            f"select province_code, amphoe_code, {month}, activity_code, participant_group_code, people,"
            f" wages_baht, sites, certified, spend_baht from {relation}"
        )
        return {
            tuple(row[:5]): dict(
                zip(("people", "wages_baht", "sites", "certified", "spend_baht"), row[5:], strict=True)
            )
            for row in cursor.fetchall()
        }


def registry(seed: int, province: str, night: dt.date) -> dict[tuple, int]:
    """The generator's people per key for a province's month (what a clean file reports)."""
    month = night.replace(day=1)
    return {
        (province, row["amphoe_code"], month, row["activity"].code, row["participant_group"].code): row[
            "people"
        ]
        for row in reported(DATASET, seed, province, month, SCALE)
    }


@pytest.fixture(scope="module")
def built(warehouse, tmp_path_factory):
    settings = Settings.in_folder(tmp_path_factory.mktemp("knn_activities") / "var")
    stages = Stages(warehouse, settings)
    stages.prepare_warehouse()
    for night in NIGHTS:
        _deliver(stages, settings, *night)
    ran = _build(warehouse, settings)
    # The models' own tests ran with them: the unit test and the fact's relationship tests.
    assert "knn_measures_by_activity_and_fiscal_year" in ran
    assert sum(name.startswith("relationships_fct_knn_activities_") for name in ran) == 5
    first = {"in_force": rows_in_force(warehouse), "fact": fact_rows(warehouse)}
    _deliver(stages, settings, *RESUBMISSION)
    _build(warehouse, settings)  # incremental: the resubmission's rows in, its predecessor's out
    return {"url": warehouse, "first": first}


def without_lineage(rows: dict[tuple, dict]) -> dict[tuple, dict]:
    return {key: {k: v for k, v in row.items() if k != "submission_id"} for key, row in rows.items()}


def test_the_fact_holds_the_rows_of_the_files_in_force(built):
    for state in (built["first"], {"in_force": rows_in_force(built["url"]), "fact": fact_rows(built["url"])}):
        assert state["fact"] == without_lineage(state["in_force"])
        assert len(state["fact"]) > 0


def test_the_resubmission_replaced_ubons_october_and_nothing_else(built):
    """Guards the test above: the second build had rows to drop and rows to append."""
    before, after = built["first"]["in_force"], rows_in_force(built["url"])
    october = dt.date(2026, 10, 1)
    changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    assert changed and all(key[0] == "34" and key[2] == october for key in changed)
    assert {after[key]["submission_id"] for key in changed if key in after} != {
        before[key]["submission_id"] for key in changed if key in before
    }
    with psycopg.connect(built["url"]) as conn:
        held = conn.execute(
            "select count(distinct submission_id) from marts.fct_knn_activities"
            " where province_code = '34' and date_key = %s",
            (october,),
        ).fetchone()[0]
    assert held == 1


def test_the_generators_people_arrive_by_amphoe_activity_and_group(built):
    """The clean deliveries (June and September, Ubon's resubmitted October) are the registry's
    rows: each amphoe of the province, activities 1-6, activity 3 by farmers, new graduates and
    returnees, the others for the general public."""
    fact = fact_rows(built["url"])
    expected = {}
    for night, seed, provinces, defect_rate in [*NIGHTS, RESUBMISSION]:
        if defect_rate == 0:
            for province in provinces:
                expected.update(registry(seed, province, night))
    assert {key: fact[key]["people"] for key in expected if key in fact} == expected
    assert expected.keys() <= fact.keys()
    ubon_june = {key for key in fact if key[0] == "34" and key[2] == dt.date(2026, 6, 1)}
    assert len(amphoes("34")) == 25
    assert {key[1] for key in ubon_june} == set(amphoes("34"))
    assert {key[3] for key in ubon_june} == {"1", "2", "3", "4", "5", "6"}
    groups = defaultdict(set)
    for key in ubon_june:
        groups[key[3]].add(key[4])
    assert groups.pop("3") == {"farmer", "new_graduate", "returnee"}
    assert set().union(*groups.values()) == {"general"}


def test_each_measure_belongs_to_its_activities(built):
    for (*_, activity, _group), row in fact_rows(built["url"]).items():
        assert (row["wages_baht"] is not None) == (activity == "3")
        assert (row["certified"] is not None) == (activity == "6")
        assert (row["sites"] is not None) == (activity in ("2", "4", "5"))


def test_the_dimensions_are_the_contracts_code_lists(built):
    with psycopg.connect(built["url"]) as conn:
        for dimension, key, code_list in (
            ("dim_knn_activity", "activity_code", "knn_activity"),
            ("dim_participant_group", "participant_group_code", "participant_group"),
        ):
            held = conn.execute(
                f"select {key}, name_th, name_en from marts.{dimension} order by sort_order"
            ).fetchall()
            assert held == [(c.code, c.th, c.en) for c in code_lists()[code_list]]


def test_the_bi_view_names_every_amphoe_thai_first(built):
    url = built["url"]
    view = fact_rows(url, "bi.knn_activities_by_amphoe", "month_start_date")
    assert view == fact_rows(url)
    with psycopg.connect(url) as conn:
        names = dict(conn.execute("select amphoe_code::text, name_th from ref.amphoe").fetchall())
        activities = {c.code: c.th for c in code_lists()["knn_activity"]}
        rows = conn.execute(
            "select amphoe_code, amphoe_name_th, province_name_th, activity_code, activity_th,"
            " participant_group_th, fiscal_year_be, fiscal_quarter, month_start_date"
            " from bi.knn_activities_by_amphoe"
        ).fetchall()
        columns = [
            name
            for (name,) in conn.execute(
                "select column_name from information_schema.columns"
                " where table_schema = 'bi' and table_name = 'knn_activities_by_amphoe' order by ordinal_position"
            )
        ]
    assert columns.index("amphoe_name_th") < columns.index("amphoe_name_en")
    assert columns.index("activity_th") < columns.index("activity_en")
    for amphoe, amphoe_th, province_th, activity, activity_th, group_th, fiscal_year, quarter, month in rows:
        assert amphoe_th == names[amphoe] and province_th and group_th
        assert activity_th == activities[activity]
        assert (fiscal_year, quarter) == fiscal_quarter_of(month)
    ubon = {(amphoe, amphoe_th) for amphoe, amphoe_th, *_ in rows if amphoe.startswith("34")}
    assert len(ubon) == 25


def fiscal_quarter_of(month: dt.date) -> tuple[int, int]:
    """Thai fiscal year (BE, named by the year it ends in) and quarter (Q1 = October-December)."""
    return month.year + 543 + (month.month >= 10), (month.month - 10) % 12 // 3 + 1


def test_the_scorecard_measures_add_up_by_quarter_and_fiscal_year(built):
    per_quarter: dict[tuple, float] = defaultdict(float)
    for (province, _amphoe, month, activity, _group), row in rows_in_force(built["url"]).items():
        fiscal_year, quarter = fiscal_quarter_of(month)
        for indicator in ("G1-KNN-HIRES", "G2-KNN-TRAINEES", "G3-KNN-ORGANIC"):
            per_quarter[(province, fiscal_year, quarter, indicator)] += 0
        measure = {"3": ("G1-KNN-HIRES", "people"), "1": ("G2-KNN-TRAINEES", "people")}.get(activity)
        if activity == "6":
            measure = ("G3-KNN-ORGANIC", "certified")
        if measure:
            per_quarter[(province, fiscal_year, quarter, measure[0])] += row[measure[1]]
    to_date = {
        key: sum(
            v
            for (p, y, q, i), v in per_quarter.items()
            if (p, y, i) == (key[0], key[1], key[3]) and q <= key[2]
        )
        for key in per_quarter
    }
    with psycopg.connect(built["url"]) as conn:
        held = conn.execute(
            "select province_code, fiscal_year_be, fiscal_quarter, indicator_code, numerator, denominator,"
            " fy_to_date_numerator, fy_to_date_denominator from intermediate.int_scorecard_knn_activity_measures"
        ).fetchall()
    assert {tuple(r[:4]): (r[4], r[6]) for r in held} == {k: (v, to_date[k]) for k, v in per_quarter.items()}
    assert all(r[5] is None and r[7] is None for r in held)
    # Guards: FY2569 adds two quarters up, FY2570 starts again, every measure has something.
    assert to_date[("34", 2569, 4, "G1-KNN-HIRES")] > per_quarter[("34", 2569, 4, "G1-KNN-HIRES")] > 0
    assert to_date[("34", 2570, 1, "G2-KNN-TRAINEES")] == per_quarter[("34", 2570, 1, "G2-KNN-TRAINEES")] > 0
    assert sum(v for k, v in per_quarter.items() if k[3] == "G3-KNN-ORGANIC") > 0


def test_the_fact_is_filtered_by_province(built):
    """docs/access.md: a mart with province_code gets row-level security after its build."""
    with psycopg.connect(built["url"]) as conn:
        policies = conn.execute(
            "select c.relrowsecurity, count(p.polname) from pg_class c"
            " left join pg_policy p on p.polrelid = c.oid"
            " where c.oid = 'marts.fct_knn_activities'::regclass group by c.relrowsecurity"
        ).fetchone()
    assert policies == (True, 2)
