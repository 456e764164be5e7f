"""The generator's registries for contract v2's programmes (thanrak.demo.entities): what a
province reports month after month is consistent with itself and with the contract."""

from __future__ import annotations

import datetime as dt

from thanrak.contract.declarations import code_lists, load_contract
from thanrak.demo import entities

SEED, UBON = 2569, "34"
FISCAL_2569 = [entities._add_months(dt.date(2025, 10, 1), n) for n in range(12)]


def _code(value):
    return entities.code_of(value)


def test_target_tambons_report_every_dimension_and_rise_through_the_fiscal_year():
    targets = entities.smart_tambons(SEED, UBON, 1.0)
    assert targets and set(targets) <= set(entities.tambons(UBON))
    months = [entities.reported("smart_tambon", SEED, UBON, month, 1.0) for month in FISCAL_2569]
    dimensions = {entry.code for entry in code_lists()["smart_dimension"]}
    for rows in months:
        assert {(r["tambon_code"], _code(r["dimension"])) for r in rows} == {
            (t, d) for t in targets for d in dimensions
        }
        assert all(1 <= r["level"] <= 5 for r in rows)
    levels = [{(r["tambon_code"], _code(r["dimension"])): r["level"] for r in rows} for rows in months]
    for earlier, later in zip(levels, levels[1:], strict=False):
        assert all(later[key] >= earlier[key] for key in earlier)  # a standing never falls within a round
    assert sum(levels[-1].values()) > sum(levels[0].values())


def test_each_pracharath_body_meets_once_a_month_numbered_from_october():
    bodies = {entry.code for entry in code_lists()["pracharath_body"]}
    for number, month in enumerate(FISCAL_2569, 1):
        rows = entities.reported("pracharath_meetings", SEED, UBON, month, 1.0)
        assert {_code(r["body"]) for r in rows} == bodies and len(rows) == len(bodies)
        assert {r["meeting_no"] for r in rows} == {number}


def test_supported_projects_go_from_planned_to_completed_with_support_never_falling():
    by_month = [
        {r["project_id"]: r for r in entities.reported("pracharath_projects", SEED, UBON, month, 1.0)}
        for month in FISCAL_2569
    ]
    order = ["planned", "ongoing", "completed"]
    for earlier, later in zip(by_month, by_month[1:], strict=False):
        assert earlier.keys() <= later.keys()  # a project, once started, keeps reporting
        for project_id, row in earlier.items():
            after = later[project_id]
            assert order.index(_code(after["status"])) >= order.index(_code(row["status"]))
            assert after["support_baht"] >= row["support_baht"]
    statuses = {_code(r["status"]) for month in by_month for r in month.values()}
    assert statuses == set(order)
    assert all(
        r["revenue_baht"] == 0 for m in by_month for r in m.values() if _code(r["status"]) == "planned"
    )


def test_khok_nong_na_activities_fill_only_their_own_measures():
    rows = entities.reported("knn_activities", SEED, UBON, FISCAL_2569[2], 1.0)
    assert {r["amphoe_code"] for r in rows} == set(entities.amphoes(UBON))  # all 25 amphoe of Ubon
    assert len(entities.amphoes(UBON)) == 25
    for row in rows:
        activity = _code(row["activity"])
        assert (row["wages_baht"] is not None) == (activity == "3")
        assert (row["certified"] is not None) == (activity == "6")
        assert (row["sites"] is not None) == (activity in entities.KNN_SITES)
        if activity == "3":
            assert row["wages_baht"] == row["people"] * entities.KNN_MONTHLY_WAGE
    hires = {_code(r["participant_group"]) for r in rows if _code(r["activity"]) == "3"}
    assert hires == {"farmer", "new_graduate", "returnee"}
    assert "7" not in {_code(r["activity"]) for r in rows}


def test_opc_results_come_once_a_round_in_the_provinces_results_month():
    month = entities.opc_results_month(UBON)
    delivered = {
        day: entities.reported("otop_ratings", SEED, UBON, day, 0.2)
        for day in (dt.date(year, m, 1) for year in (2025, 2026, 2027) for m in range(1, 13))
    }
    with_rows = sorted(day for day, rows in delivered.items() if rows)
    # rounds in odd BE years: 2569 = 2026 CE; none in 2568 or 2570
    assert with_rows == [dt.date(2026, month, 1)]
    starred = {
        product.product_id
        for producer in entities.producers(SEED, UBON, 0.2)
        for product in producer.products
        if product.star_rating is not None
    }
    rows = delivered[with_rows[0]]
    assert {r["product_id"] for r in rows} == starred
    for row in rows:
        floor = next(f for f, level in entities.OPC_STAR_FLOORS if level == row["star_level"])
        assert row["score"] >= floor and row["opc_round"] == 2569
        assert (row["mark_tier"] is None) == (row["star_level"] < 3)


def test_every_province_has_a_results_month_and_every_month_some_province():
    months = [entities.opc_results_month(p) for p in entities.cdd_provinces()]
    assert set(months) == set(range(1, 13))


def test_the_new_datasets_are_contract_v2_and_the_ratings_are_sent_only_when_held():
    for dataset in (
        "smart_tambon",
        "pracharath_meetings",
        "pracharath_projects",
        "knn_activities",
        "otop_ratings",
    ):
        contract = load_contract(dataset)
        assert contract.version == 2
        assert contract.schedule == ("when_held" if dataset == "otop_ratings" else "monthly")
