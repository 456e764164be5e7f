"""The generator follows real entities over time: plots, producers and their products, budget
project lines and surveyed households come back month after month (or survey year after survey
year), sized from the brief, and every clean row keeps the contract's rules."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest

from thanrak.contract.bmn_tools import tool_for_year
from thanrak.contract.declarations import load_contract
from thanrak.demo import entities
from thanrak.demo.generator import generate_night
from thanrak.extract.frame import SOURCE_ROW, extract
from thanrak.validate.validation import REASONS, province_areas_from_geothai, validate

SEED = 2569
MONTHS = [dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)]
UBON = "34"


def _by_key(dataset: str, month: dt.date, key: tuple[str, ...], scale: float = 0.3) -> dict[tuple, dict]:
    return {tuple(r[k] for k in key): r for r in entities.reported(dataset, SEED, UBON, month, scale)}


def test_the_same_plots_report_every_month_of_their_life_with_rising_progress():
    reports = [_by_key("knn_plot_progress", month, ("plot_id",)) for month in MONTHS]
    for earlier, later in zip(reports, reports[1:], strict=False):
        followed = set(earlier) & set(later)
        assert len(followed) > len(earlier) / 2  # most plots go on to the next month
        assert all(later[p]["progress_pct"] >= earlier[p]["progress_pct"] for p in followed)
        assert all(later[p]["area_rai"] == earlier[p]["area_rai"] for p in followed)
    plot = entities.plot_cohort(SEED, UBON, 2570, 0.3)[-1]
    life = [
        m for m in (dt.date(2026 + y, mo, 1) for y in range(4) for mo in range(1, 13)) if plot.progress_in(m)
    ]
    assert len(life) == len(plot.progress) >= entities.PLOT_LIFE_MONTHS[0]
    for month in life:  # reported in every month of its life, with that month's progress
        (row,) = [
            r
            for r in entities.reported("knn_plot_progress", SEED, UBON, month, 0.3)
            if r["plot_id"] == plot.plot_id
        ]
        assert row["progress_pct"] == plot.progress_in(month)
    assert list(plot.progress) == sorted(plot.progress) and plot.progress[-1] == 100


def test_a_registry_is_rebuilt_the_same_from_its_seed_and_differs_with_another():
    entities.plot_cohort.cache_clear()
    again = entities.plot_cohort(SEED, UBON, 2570, 0.3)
    entities.plot_cohort.cache_clear()
    assert entities.plot_cohort(SEED, UBON, 2570, 0.3) == again
    assert entities.plot_cohort(SEED + 1, UBON, 2570, 0.3) != again


def test_a_later_night_of_the_next_month_sends_the_same_plots_products_and_project_lines(tmp_path):
    """Through the files as written and read back: consecutive months share their entities."""
    keys = {
        "knn_plot_progress": ("plot_id",),
        "otop_sales": ("producer_id", "product_id", "channel"),
        "budget_disbursement": ("project_code", "unit_code"),
    }
    seen: dict[str, list[set]] = {dataset: [] for dataset in keys}
    for night in (dt.date(2026, 10, 22), dt.date(2026, 11, 22)):
        generated = generate_night(
            tmp_path, night, provinces=["57"], datasets=tuple(keys), scale=0.1, defect_rate=0, file_defects=0
        )
        for name in generated.files:
            contract = load_contract(name.split("/")[1])
            frame = extract((tmp_path / name).read_bytes(), name, contract).frame
            seen[contract.dataset].append(set(frame[list(keys[contract.dataset])].itertuples(index=False)))
    for dataset, (october, november) in seen.items():
        assert october and november, dataset
        if dataset == "knn_plot_progress":  # some finish, some start
            assert len(october & november) > len(october) / 2, dataset
        else:  # producers, products and project lines of the fiscal year all go on
            assert october == november, dataset


def test_producers_have_several_products_sold_through_their_own_channels():
    producers = entities.producers(SEED, UBON, 1.0)
    counts = Counter(len(p.products) for p in producers)
    assert min(counts) >= 1 and max(counts) <= 6
    assert sum(n * c for n, c in counts.items()) / len(producers) > 2.5
    assert counts[1] < len(producers) / 3  # no longer one product per producer
    product_ids = [product.product_id for p in producers for product in p.products]
    assert len(product_ids) == len(set(product_ids))  # unique in the province, as dim_otop_product keys them
    assert {len(p.channels) for p in producers} <= {1, 2, 3}
    november = entities.reported("otop_sales", SEED, UBON, MONTHS[1], 1.0)
    assert len(november) == sum(len(p.products) * len(p.channels) for p in producers)


def test_producer_types_follow_the_brief_shares():
    """93,414 producers in 2021: 51,787 community groups, 40,119 single owners, the rest
    (about 1.6 %) SMEs (brief A, S24); over all 76 provinces' registries."""
    brief = {"community_group": 51_787, "single_owner": 40_119}
    brief["sme"] = 93_414 - sum(brief.values())
    types = Counter(
        p.producer_type.code
        for province in entities.cdd_provinces()
        for p in entities.producers(SEED, province, 1.0)
    )
    total = sum(types.values())
    assert total > 5000
    for code, count in brief.items():
        expected = count / 93_414
        tolerance = 4 * (expected * (1 - expected) / total) ** 0.5  # four standard errors
        assert abs(types[code] / total - expected) < tolerance, (code, types[code] / total, expected)


def test_plot_areas_keep_the_rules_of_their_model():
    contract = load_contract("knn_plot_progress")
    rules = {r.when_code: r for r in contract.rules if r.kind == "range_when"}
    assert set(rules) == {"HLM", "CLM"}
    plots = [p for province in ("34", "57", "75") for p in entities.plot_cohort(SEED, province, 2570, 1.0)]
    models = Counter(p.model.code for p in plots)
    assert models["HLM"] > models["CLM"] > 0
    for plot in plots:
        rule = rules[plot.model.code]
        assert rule.min is None or plot.area_rai >= rule.min, plot
        assert rule.max is None or plot.area_rai <= rule.max, plot


def test_budget_rows_are_each_lines_standing_to_date():
    """The marts read a month's row as the project's standing since October: the allocation
    stays, committed and disbursed never fall and stay within it."""
    months = [dt.date(2026, 10, 1), dt.date(2027, 3, 1), dt.date(2027, 9, 1)]
    standing = [_by_key("budget_disbursement", m, ("project_code", "unit_code")) for m in months]
    assert set(standing[0]) == set(standing[1]) == set(standing[2])
    for line in standing[0]:
        rows = [s[line] for s in standing]
        assert len({r["allocated_baht"] for r in rows}) == 1
        for name in ("committed_baht", "disbursed_baht", "returned_baht"):
            assert [r[name] for r in rows] == sorted(r[name] for r in rows), (line, name)
        assert all(r["disbursed_baht"] <= r["committed_baht"] <= r["allocated_baht"] for r in rows)
    october = sum(r["disbursed_baht"] for r in standing[0].values())
    september = sum(r["disbursed_baht"] for r in standing[2].values())
    allocated = sum(r["allocated_baht"] for r in standing[2].values())
    assert october < 0.2 * allocated < 0.8 * allocated < september <= allocated


def test_registries_reach_the_brief_at_full_scale_and_the_demo_size_at_scale_1():
    """Ubon: 4,044 Khok Nong Na plots a fiscal year over 25 amphoe; 93,414 OTOP producers
    nationally; about 100 budget projects per province; 12.8 M households."""
    assert len(entities.amphoes(UBON)) == 25
    knn = entities.full_scale("knn_plot_progress")
    assert entities.registry_size("knn_plot_progress", UBON, knn) == pytest.approx(4_044, abs=1)
    assert entities.registry_size("knn_plot_progress", "75", knn) < 4_044  # smaller provinces, fewer
    otop = entities.full_scale("otop_sales")
    national = sum(entities.registry_size("otop_sales", p, otop) for p in entities.cdd_provinces())
    assert national == pytest.approx(93_414, rel=0.01)
    budget = entities.full_scale("budget_disbursement")
    assert entities.registry_size("budget_disbursement", "57", budget) == pytest.approx(100, abs=1)
    assert entities.full_scale("bmn_households") * 1000 * 76 == pytest.approx(12_817_903, rel=1e-6)


def test_a_month_at_scale_1_keeps_about_the_demo_rows_per_province():
    for dataset in (
        entities.MEAN_ROWS.keys() & entities.REPORTED.keys()
    ):  # v1's registries, sized by MEAN_ROWS
        rows = [len(entities.reported(dataset, SEED, p, MONTHS[1], 1.0)) for p in entities.cdd_provinces()]
        assert min(rows) >= entities.ALWAYS_REPORTED, dataset
        assert sum(rows) / len(rows) == pytest.approx(entities.MEAN_ROWS[dataset], rel=0.25), dataset


def test_households_are_surveyed_again_a_year_later_on_their_years_tool():
    day = dt.date(2026, 11, 22)
    this_year = [entities.household(UBON, day, i) for i in range(200)]
    next_year = [entities.household(UBON, day.replace(year=2027), i) for i in range(200)]
    for now, later in zip(this_year, next_year, strict=True):
        assert now["household_hash"] == later["household_hash"]
        assert (now["village_code"], now["members"]) == (later["village_code"], later["members"])
        assert later["survey_year"] == now["survey_year"] + 1
    threshold = 38_000  # brief S4: some households cross it between the years, both ways
    crossed = Counter(
        (now["income_per_person_baht"] < threshold, later["income_per_person_baht"] < threshold)
        for now, later in zip(this_year, next_year, strict=True)
    )
    assert crossed[(True, False)] > 0 and crossed[(False, True)] > 0


@pytest.mark.parametrize("night", [dt.date(2022, 11, 22), dt.date(2026, 11, 22)], ids=["2565", "2569"])
def test_every_survey_row_is_on_its_years_tool_with_exactly_its_items(tmp_path, night):
    """2565 uses the 2560-64 tool (31 items), 2569 the 2566-70 tool (38): read back from the
    written files, and no clean row fails any rule."""
    contract = load_contract("bmn_households")
    generated = generate_night(
        tmp_path,
        night,
        provinces=["30", "34"],
        datasets=("bmn_households",),
        scale=0.3,
        defect_rate=0,
        file_defects=0,
    )
    items = [c.name for c in contract.columns if c.type == "flag"]  # indicator_01 .. indicator_38
    for name in generated.files:
        frame = extract((tmp_path / name).read_bytes(), name, contract).frame
        (year,) = set(frame["survey_year"])
        found = tool_for_year(int(year))
        assert set(frame["indicator_set"]) == {found.code}
        filled = frame[items].notna()
        assert filled[items[: found.item_count]].all().all()
        assert not filled[items[found.item_count :]].any().any()
        checked = validate(
            frame, contract, period=f"{night:%Y-%m}", areas=province_areas_from_geothai(name[:2])
        )
        assert not checked.bad_rows.any(), name


NEW_RULES = {"hlm_area", "clm_area", "tool_of_survey_year", "items_of_tool"}


def test_injected_defects_of_the_new_rules_are_caught_by_those_rules(tmp_path):
    generated = generate_night(
        tmp_path,
        dt.date(2026, 11, 22),
        provinces=["30", "34", "57"],
        datasets=("knn_plot_progress", "bmn_households"),
        scale=0.5,
        defect_rate=0.15,
        file_defects=0,
        xlsx_share=0,
    )
    injected = [d for d in generated.defects if d.expected_rule in NEW_RULES]
    assert {d.expected_rule for d in injected} == NEW_RULES
    caught: dict[tuple[str, int], set[str]] = {}
    for name in generated.files:
        contract = load_contract(name.split("/")[1])
        frame = extract((tmp_path / name).read_bytes(), name, contract).frame
        checked = validate(frame, contract, period="2026-11", areas=province_areas_from_geothai(name[:2]))
        for row, reasons in zip(checked.frame[SOURCE_ROW], checked.frame[REASONS], strict=True):
            if isinstance(reasons, str):
                caught[(name, int(row))] = {r["rule"] for r in json.loads(reasons)}
    for defect in injected:
        assert caught.get((defect.path, defect.source_row)) == {defect.expected_rule}, defect
