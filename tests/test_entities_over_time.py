"""Two consecutive months' nights, as `thanrak demo --months 2` runs them (oldest first, each a
full night), through the pipeline's stages and dbt into a real PostgreSQL: the marts follow the
same plots, products and budget lines from one month to the next."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from thanrak.cli import _parser
from thanrak.demo.generator import generate_night
from thanrak.demo.run import demo_nights
from thanrak.pipeline import Stages
from thanrak.settings import Settings
from thanrak.transform.dbt_build import build_marts

NIGHT = dt.date(2026, 11, 22)
PROVINCES = ["34", "57"]


def test_the_demo_months_are_the_same_day_of_the_months_before_oldest_first():
    assert demo_nights(NIGHT, 2) == [dt.date(2026, 10, 22), NIGHT]
    assert demo_nights(dt.date(2027, 1, 31), 3) == [
        dt.date(2026, 11, 30),
        dt.date(2026, 12, 31),
        dt.date(2027, 1, 31),
    ]
    assert demo_nights(NIGHT, 1) == [NIGHT]
    assert _parser().parse_args(["demo", "--night", "2026-11-22", "--months", "3"]).months == 3
    assert _parser().parse_args(["demo"]).months == 1


@pytest.fixture(scope="module")
def two_months(warehouse, tmp_path_factory):
    settings = Settings.in_folder(tmp_path_factory.mktemp("var"), warehouse)
    stages = Stages(warehouse, settings)
    stages.prepare_warehouse()
    nights = demo_nights(NIGHT, 2)
    for night in nights:
        generate_night(settings.landing_dir, night, provinces=PROVINCES, scale=0.1, file_defects=0)
        for batch in stages.discover_by_province("demo", night):
            stages.process_batch("demo", night, batch)
        build_marts(warehouse, settings)  # each night's marts, incrementally, as the demo does
    return warehouse


def _followed(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_plots_have_reports_in_both_months_with_rising_progress(two_months):
    plots = _followed(
        two_months,
        """select p.plot_id, october.progress_pct, november.progress_pct
           from marts.fct_plot_progress october
           join marts.fct_plot_progress november using (plot_key)
           join marts.dim_plot p using (plot_key)
           where october.date_key = '2026-10-01' and november.date_key = '2026-11-01'""",
    )
    assert len(plots) > 50
    # Rows spoilt by the generator are quarantined, so a followed plot's values are its own.
    assert all(october <= november for _, october, november in plots), plots


def test_the_same_products_sell_and_the_same_budget_lines_report_in_both_months(two_months):
    products = _followed(
        two_months,
        """select count(distinct product_key) from marts.fct_otop_sales october
           join marts.fct_otop_sales november using (product_key, channel_code)
           where october.date_key = '2026-10-01' and november.date_key = '2026-11-01'""",
    )[0][0]
    several = _followed(
        two_months,
        "select count(*) filter (where products > 1), count(*) from "
        "(select producer_key, count(*) as products from marts.dim_otop_product group by producer_key) p",
    )[0]
    lines = _followed(
        two_months,
        """select october.disbursed_baht, november.disbursed_baht from marts.fct_budget_disbursement october
           join marts.fct_budget_disbursement november using (province_code, project_code, unit_code)
           where october.date_key = '2026-10-01' and november.date_key = '2026-11-01'""",
    )
    assert products > 50
    assert several[0] > several[1] / 2  # most producers have several products
    assert len(lines) > 50
    assert all(october <= november for october, november in lines)  # disbursed to date never falls
