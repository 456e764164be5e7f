"""OTOP Product Champion results in the marts: a product's result in a round once (province ×
product × round), from the latest delivered file, when a corrected results file comes in a later
month (a slot of its own) and is replaced again; the product dimension's stars from the latest
round; the bi view; the G3-OTOP-STARS standing per province and quarter.

Two provinces announcing in March: round 2567 (March 2024) and round 2569 (March 2026). In April
2026 province A sends a corrected 2569 file (other scores for some products, some left out, two
products rated but never sold); later that month it replaces that file with a shorter one, so
some products go back to their March row. The increments must equal a full refresh."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict

import psycopg
import pytest

from support.nights import ingest_night
from thanrak.demo import entities
from thanrak.demo.generator import generate_night
from thanrak.pipeline import Stages
from thanrak.settings import Settings
from thanrak.transform.dbt_build import run_dbt

RESULTS_MONTH = 3
PROVINCES = [p for p in entities.cdd_provinces() if entities.opc_results_month(p) == RESULTS_MONTH][:2]
CORRECTING = PROVINCES[0]
ROUND_NIGHTS = [dt.date(2024, 3, 20), dt.date(2026, 3, 20)]  # rounds 2567 and 2569
CORRECTION_NIGHT = dt.date(2026, 4, 10)
REPLACEMENT_NIGHT = dt.date(2026, 4, 24)  # the same April slot again: a new revision
SCALE = 0.03
SEED = 2569
# What the ratings reach and what they read; a test of other models (fct_otop_sales' relation
# to dim_otop_product) is left out by cautious indirect selection.
SELECT = [
    "+fct_otop_rating",
    "+dim_otop_product",
    "+otop_ratings",
    "+int_scorecard_otop_rating_measures",
    "+dim_submission",
    "--indirect-selection",
    "cautious",
]
ORIGINAL = entities.REPORTED["otop_ratings"]


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def stars_of(score: float) -> int:
    return next(level for floor, level in entities.OPC_STAR_FLOORS if score >= floor)


def corrected_rows(seed: int, province: str, scale: float, replacement: bool) -> list[dict]:
    """Province A's corrected 2569 file: every third product rescored (12 points more), every
    fifth (from the second) left out, two products rated but never sold (one of a producer that
    sells, one of a producer that does not). The replacement leaves out every sixth as well."""
    march = ORIGINAL(seed, province, dt.date(2026, RESULTS_MONTH, 1), scale)
    lists = entities.code_lists()
    rows = []
    for index, row in enumerate(march):
        if index % 5 == 1 or (replacement and index % 6 == 0):
            continue
        row = dict(row)
        if index % 3 == 0:
            row["score"] = round(min(99.0, row["score"] + 12), 2)
            row["star_level"] = stars_of(row["score"])
            if row["star_level"] >= 3 and row["mark_tier"] is None:
                row["mark_tier"] = lists["otop_mark_tier"][0]
        rows.append(row)
    seller = entities.producers(seed, province, scale)[0]
    for producer_id, tambon in (
        (seller.producer_id, seller.tambon_code),
        (f"OP{province}-99999", seller.tambon_code),
    ):
        rows.append(
            {
                "product_id": f"{producer_id}-9",
                "producer_id": producer_id,
                "product_category": lists["product_category"][0],
                "tambon_code": tambon,
                "opc_round": 2569,
                "star_level": 5,
                "score": 93.5,
                "segment": lists["otop_segment"][0],
                "mark_tier": lists["otop_mark_tier"][0],
            }
        )
    return rows


def snapshot(conn) -> tuple:
    return conn.execute(
        "select count(*), md5(string_agg((to_jsonb(t) - 'built_at')::text, '|' order by otop_rating_key))"
        " from marts.fct_otop_rating t"
    ).fetchone()


def build(url: str, settings: Settings, *extra: str) -> None:
    outcome = run_dbt(url, ["build", "--select", *SELECT, *extra], settings)
    assert outcome.success, outcome.failures


def expected_ratings(conn) -> dict[tuple, dict]:
    """Per province × product × round, the loaded row of the latest delivered file among the files
    in force (each slot's latest delivered revision), computed here from raw and the manifest."""
    files = conn.execute(
        """select submission_id, province_code, period, revision, source_key, delivered_at
           from ops.submission where dataset = 'otop_ratings' and status = 'loaded'"""
    ).fetchall()
    order = {f[0]: (f[5], f[4], f[3]) for f in files}
    latest_of_slot: dict[tuple, int] = {}
    for submission_id, province, period, *_ in files:
        slot = (province, period)
        if slot not in latest_of_slot or order[submission_id] > order[latest_of_slot[slot]]:
            latest_of_slot[slot] = submission_id
    in_force = {s: slot for slot, s in latest_of_slot.items()}
    found: dict[tuple, dict] = {}
    for row in conn.execute(
        """select submission_id, source_row, product_id, producer_id, product_category, tambon_code,
                  opc_round, star_level, score, segment, mark_tier, announced_on
           from raw.otop_ratings order by source_row desc"""
    ).fetchall():
        submission_id, source_row, product_id, *values = row
        if submission_id not in in_force:
            continue
        province, period = in_force[submission_id]
        key = (province, product_id, values[3])
        if key not in found or order[submission_id] >= order[found[key]["submission_id"]]:
            found[key] = dict(
                zip(
                    ("producer_id", "category", "tambon", "opc_round", "star_level", "score", "segment", "mark_tier",
                     "announced_on"),
                    values,
                    strict=True,
                ),
                submission_id=submission_id,
                source_row=source_row,
                period=period,
            )  # fmt: skip
    return found


def fiscal_quarter(day: dt.date) -> tuple[int, int]:
    return day.year + 543 + (day.month >= 10), (day.month - 10) % 12 // 3 + 1


@pytest.fixture(scope="module")
def nights(warehouse, tmp_path_factory):
    settings = Settings.in_folder(tmp_path_factory.mktemp("var"), warehouse)
    stages = Stages(warehouse, settings)
    options = dict(seed=SEED, provinces=PROVINCES, scale=SCALE, file_defects=0, defect_rate=0, xlsx_share=0)
    for night in ROUND_NIGHTS:
        generate_night(settings.landing_dir, night, datasets=("otop_sales", "otop_ratings"), **options)
        ingest_night(stages, night)
    build(warehouse, settings)
    seen = {}
    with psycopg.connect(warehouse) as conn:
        seen["march"] = {r[0]: r[1:] for r in conn.execute(
            "select otop_rating_key, star_level, submission_id from marts.fct_otop_rating"
        ).fetchall()}  # fmt: skip

    replacement = False

    def reported(seed: int, province: str, month: dt.date, scale: float) -> list[dict]:
        if province == CORRECTING and month == dt.date(2026, 4, 1):
            return corrected_rows(seed, province, scale, replacement)
        return ORIGINAL(seed, province, month, scale)

    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(entities.REPORTED, "otop_ratings", reported)
        generate_night(settings.landing_dir, CORRECTION_NIGHT, datasets=("otop_ratings",), **options)
        ingest_night(stages, CORRECTION_NIGHT)
        build(warehouse, settings)
        with psycopg.connect(warehouse) as conn:
            seen["corrected"] = expected_ratings(conn)
            seen["corrected_fact"] = snapshot(conn)
        replacement = True
        generate_night(settings.landing_dir, REPLACEMENT_NIGHT, datasets=("otop_ratings",), **options)
        ingest_night(stages, REPLACEMENT_NIGHT)
    build(warehouse, settings)
    with psycopg.connect(warehouse) as conn:
        seen["incremental"] = snapshot(conn)
    build(warehouse, settings, "--full-refresh")
    with psycopg.connect(warehouse) as conn:
        seen["full_refresh"] = snapshot(conn)
    return {"url": warehouse, **seen}


def fact_rows(url: str) -> dict[tuple, dict]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """select province_code, product_key, opc_round, period, area_key, date_key, product_category_code,
                      star_level, score, segment_code, mark_tier_code, submission_id, source_row, otop_rating_key
               from marts.fct_otop_rating"""
        ).fetchall()
    return {(r[0], r[1], r[2]): r for r in rows}


def test_the_nights_bring_what_the_test_is_about(nights):
    """Guards: both rounds for both provinces; in April, a product × round in two files in force
    (March and April) for province A; the replacement took some products back to March."""
    with psycopg.connect(nights["url"]) as conn:
        slots = conn.execute(
            """select province_code, period, count(*) from ops.submission
               where dataset = 'otop_ratings' and status = 'loaded' group by 1, 2 order by 1, 2"""
        ).fetchall()
        expected = expected_ratings(conn)
    assert slots == sorted(
        [(p, "2024-03", 1) for p in PROVINCES]
        + [(p, "2026-03", 1) for p in PROVINCES]
        + [(CORRECTING, "2026-04", 2)]
    )
    periods = {k: v["period"] for k, v in expected.items() if k[0] == CORRECTING and k[2] == 2569}
    assert "2026-03" in periods.values() and "2026-04" in periods.values()
    back_to_march = [
        k for k, v in nights["corrected"].items() if v["period"] == "2026-04" and periods[k] == "2026-03"
    ]
    assert back_to_march


def test_a_product_round_holds_once_from_the_latest_delivered_file(nights):
    """Every fact row is the row of the latest delivered file in force for its key, and no other
    (computed here from raw and the manifest), with the values of that row."""
    with psycopg.connect(nights["url"]) as conn:
        expected = expected_ratings(conn)
    found = fact_rows(nights["url"])
    assert len(found) == len(expected)
    for (province, product_id, opc_round), row in expected.items():
        fact = found[(province, md5(f"{province}|{product_id}"), opc_round)]
        assert fact[3:] == (
            row["period"], row["tambon"].strip(), row["announced_on"], row["category"], row["star_level"],
            row["score"], row["segment"], row["mark_tier"], row["submission_id"], row["source_row"],
            md5(f"{province}|{product_id}|{opc_round}"),
        )  # fmt: skip


def test_the_star_levels_are_the_generators_corrected_ones(nights):
    """Against the generator: province A's 2569 products carry the corrected file's stars where the
    replacement kept them, the March file's where it left them out; the other province and round
    2567 the generator's rows as first announced."""
    found = fact_rows(nights["url"])
    april = {r["product_id"]: r for r in corrected_rows(SEED, CORRECTING, SCALE, replacement=True)}
    checked = 0
    for province in PROVINCES:
        for opc_round, month in ((2567, dt.date(2024, 3, 1)), (2569, dt.date(2026, 3, 1))):
            for row in ORIGINAL(SEED, province, month, SCALE):
                if province == CORRECTING and opc_round == 2569 and row["product_id"] in april:
                    row = april[row["product_id"]]
                fact = found[(province, md5(f"{province}|{row['product_id']}"), opc_round)]
                assert (fact[7], float(fact[8])) == (row["star_level"], row["score"])
                checked += 1
    assert checked + 2 == len(found)  # and the two products rated but never sold
    march = {r["product_id"]: r["star_level"] for r in ORIGINAL(SEED, CORRECTING, dt.date(2026, 3, 1), SCALE)}
    rescored = [p for p, r in april.items() if p in march and r["star_level"] != march[p]]
    assert rescored  # the correction changed stars, so the test tells the files apart


def test_the_increments_equal_a_full_refresh(nights):
    assert nights["incremental"] == nights["full_refresh"]
    assert nights["corrected_fact"] != nights["incremental"]  # the replacement changed the fact


def test_the_product_dimension_takes_stars_from_the_latest_round(nights):
    """A rated product's stars from its latest round (2569, as in force), with the round and
    'opc_round'; a product never rated keeps its latest sales row's stars ('sales_row'); the
    products rated but never sold are in the dimension, a producer without sales rows empty."""
    url = nights["url"]
    with psycopg.connect(url) as conn:
        expected = expected_ratings(conn)
        sold = dict(conn.execute(
            """select distinct on (s.product_id) s.product_id, s.star_rating from raw.otop_sales s
               join ops.submission using (submission_id) order by s.product_id, s.sale_month desc"""
        ).fetchall())  # fmt: skip
        dimension = {
            r[0]: r[1:]
            for r in conn.execute(
                "select product_id, star_rating, stars_round_be, stars_source, producer_key from marts.dim_otop_product"
            ).fetchall()
        }
    latest: dict[tuple, dict] = {}
    for (province, product_id, opc_round), row in expected.items():
        if (province, product_id) not in latest or opc_round > latest[(province, product_id)]["opc_round"]:
            latest[(province, product_id)] = row
    assert set(dimension) == set(sold) | {product for _, product in latest}
    for (_, product_id), row in latest.items():
        assert dimension[product_id][:3] == (row["star_level"], 2569, "opc_round")
    never_rated = set(sold) - {product for _, product in latest}
    assert never_rated
    for product_id in never_rated:
        assert dimension[product_id][:3] == (sold[product_id], None, "sales_row")
    seller = entities.producers(SEED, CORRECTING, SCALE)[0].producer_id
    assert dimension[f"{seller}-9"][3] == md5(f"{CORRECTING}|{seller}")
    assert dimension[f"OP{CORRECTING}-99999-9"][3] is None


def test_the_bi_view_names_each_rating(nights):
    """bi.otop_ratings: the fact's rows, each named (province, category; segment and mark tier
    where given), flagged when it is the product's latest round."""
    with psycopg.connect(nights["url"]) as conn:
        rows = conn.execute(
            """select province_code, product_id, opc_round, is_latest_round, star_level, province_name_th,
                      product_category_th, segment_code, segment_th, mark_tier_code, mark_tier_th, tambon_name_th
               from bi.otop_ratings"""
        ).fetchall()
        expected = expected_ratings(conn)
    assert {(r[0], r[1], r[2]): r[4] for r in rows} == {k: v["star_level"] for k, v in expected.items()}
    for row in rows:
        assert row[3] == (row[2] == 2569)
        assert row[5] and row[6] and row[11]
        assert (row[7] is None) == (row[8] is None) and (row[9] is None) == (row[10] is None)


def test_the_stars_indicator_is_the_standing_of_the_latest_round(nights):
    """G3-OTOP-STARS per province and quarter, from the quarter of the first announcement to the
    latest month of a file in force (April 2026, FY 2569 Q3): the latest round announced by the
    quarter's end (announced on its earliest day in force), its products with 4 or 5 stars over
    its products; the quarter's own counts only in the quarter it was announced in."""
    with psycopg.connect(nights["url"]) as conn:
        expected_rows = expected_ratings(conn)
        found = {
            r[:3]: tuple(int(v) for v in r[3:])
            for r in conn.execute(
                """select province_code, fiscal_year_be, fiscal_quarter, numerator, denominator,
                          fy_to_date_numerator, fy_to_date_denominator
                   from intermediate.int_scorecard_otop_rating_measures"""
            ).fetchall()
        }
    rounds: dict[tuple, list] = defaultdict(list)
    for (province, _, opc_round), row in expected_rows.items():
        rounds[(province, opc_round)].append(row)
    quarters = sorted({fiscal_quarter(dt.date(2024, 1, 1) + dt.timedelta(days=d)) for d in range(900)})
    quarters = [q for q in quarters if q <= fiscal_quarter(dt.date(2026, 4, 1))]
    expected = {}
    for province in PROVINCES:
        announced = {
            r: (fiscal_quarter(min(row["announced_on"] for row in rows)), rows)
            for (p, r), rows in rounds.items()
            if p == province
        }
        for quarter in quarters:
            standing = [r for r, (q, _) in announced.items() if q <= quarter]
            if not standing:
                continue
            announced_in, rows = announced[max(standing)]
            stars = sum(row["star_level"] >= 4 for row in rows)
            own = (stars, len(rows)) if announced_in == quarter else (0, 0)
            expected[(province, *quarter)] = (*own, stars, len(rows))
    assert found == expected
    assert (PROVINCES[0], 2569, 3) in found and (PROVINCES[0], 2568, 1) in found
