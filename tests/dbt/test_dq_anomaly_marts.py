"""The marts of unusual deliveries: fct_dq_slot_metrics (each slot's measures from its file in
force), fct_dq_anomalies (each unusual check with its slot and its words) and bi.dq_anomalies,
checked row by row against what thanrak.observe wrote into dq.file_metric and dq.anomaly.

Two provinces of the Northeast send OTOP sales and activities for six months (June to November
2026), each night observed as the DAG's observe_deliveries does. In November province A's OTOP
file is spoilt on purpose (every product herbal, 4 M baht a row), so that thanrak.observe flags it; the next night province B resubmits its November activities one
row shorter (revision 2 in force). A few hand-made anomalies cover what the generated months may
not (a later delivery, an empty share, a check on a superseded file)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import uuid

import psycopg
import pytest
from psycopg import sql

from support.nights import ingest_night
from thanrak.demo import entities
from thanrak.demo.generator import generate_night
from thanrak.nights import BANGKOK_TZ
from thanrak.observe.night import observe_night
from thanrak.observe.words import BASELINES, DIRECTIONS, LEVELS, check_label, code_name
from thanrak.pipeline import Stages
from thanrak.settings import Settings
from thanrak.transform.dbt_build import Selection, run_dbt

A, B = "30", "40"  # Nakhon Ratchasima, Khon Kaen: both of NESDC's Northeast
DATASETS = ("otop_sales", "activities")
NIGHTS = [dt.date(2026, month, 20) for month in range(6, 12)]
SPOILT_NIGHT = NIGHTS[-1]
RESUBMISSION_NIGHT = dt.date(2026, 11, 21)
OPTIONS = dict(provinces=[A, B], datasets=DATASETS, scale=0.1, file_defects=0, defect_rate=0, xlsx_share=0)
MODELS = {
    "stg_dq__file_metrics",
    "stg_dq__anomalies",
    "fct_dq_slot_metrics",
    "fct_dq_anomalies",
    "dq_anomalies",
}
# What the marts of unusual deliveries read and reach; a test of other models (the facts' relations
# to dim_submission) is left out by cautious indirect selection.
SELECT = [
    "+fct_dq_slot_metrics", "+fct_dq_anomalies", "+dq_anomalies", "+dim_submission",
    "--indirect-selection", "cautious",
]  # fmt: skip
ORIGINAL_SALES = entities.REPORTED["otop_sales"]


def spoilt_sales(seed: int, province: str, month: dt.date, scale: float) -> list[dict]:
    """Province A's November: every product herbal (non-food), at 4 M baht a row."""
    rows = ORIGINAL_SALES(seed, province, month, scale)
    if province != A or month != SPOILT_NIGHT.replace(day=1):
        return rows
    herbal = next(
        code for code in entities.code_lists()["product_category"] if code.code == "herbal_non_food"
    )
    return [{**row, "product_category": herbal, "revenue_baht": 4_000_000} for row in rows]


def observe(url: str, settings: Settings, night: dt.date) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        observe_night(conn, night, settings.dbt_project_dir / "seeds" / "province_regions.csv")


def file_of(conn, province: str, dataset: str, period: str, revision: int = 1) -> int:
    return conn.execute(
        """select submission_id from ops.submission
           where province_code = %s and dataset = %s and period = %s and revision = %s""",
        (province, dataset, period, revision),
    ).fetchone()[0]


# Hand-made checks: (province, dataset, period, revision, check, observed, expected, low, high,
# score, direction, level, baseline, history_periods)
HAND_MADE = [
    (B, "activities", "2026-10", 1, "days_late", 12.5, -20.0, -26.0, -14.0, 10.9, "later", "high",
     "own_fiscal_month", 2),
    (B, "otop_sales", "2026-10", 1, "null_share:star_rating", 0.42, 0.1, 0.0, 0.2, 4.1, "higher", "low",
     "peers", 4),
    (B, "activities", "2026-11", 1, "rows", 3.0, 40.0, 25.0, 60.0, -9.5, "lower", "medium", "own", 5),
]  # fmt: skip


@pytest.fixture(scope="module")
def built(warehouse, tmp_path_factory):
    settings = Settings.in_folder(tmp_path_factory.mktemp("var"), warehouse)
    stages = Stages(warehouse, settings)
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(entities.REPORTED, "otop_sales", spoilt_sales)
        for night in NIGHTS:
            generated = generate_night(settings.landing_dir, night, **OPTIONS)
            ingest_night(stages, night)
            observe(warehouse, settings, night)
    # Province B resubmits its November activities, one row shorter, the next night.
    original = settings.landing_dir / next(k for k in generated.files if k.startswith(f"{B}/activities/"))
    resubmitted = original.with_name(f"{original.stem}_แก้ไข{original.suffix}")
    resubmitted.write_bytes(b"".join(original.read_bytes().splitlines(keepends=True)[:-1]))
    stamp = dt.datetime.combine(RESUBMISSION_NIGHT, dt.time(18, 30), BANGKOK_TZ).timestamp()
    os.utime(resubmitted, (stamp, stamp))
    ingest_night(stages, RESUBMISSION_NIGHT)
    observe(warehouse, settings, RESUBMISSION_NIGHT)
    with psycopg.connect(warehouse, autocommit=True) as conn:
        for province, dataset, period, revision, check, *values in HAND_MADE:
            conn.execute(
                """insert into dq.anomaly (submission_id, check_name, observed, expected, expected_low,
                       expected_high, score, direction, level, baseline, history_periods)
                   values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                   on conflict (submission_id, check_name) do update set
                       observed = excluded.observed, expected = excluded.expected,
                       expected_low = excluded.expected_low, expected_high = excluded.expected_high,
                       score = excluded.score, direction = excluded.direction, level = excluded.level,
                       baseline = excluded.baseline, history_periods = excluded.history_periods,
                       detail = '{}'""",
                (file_of(conn, province, dataset, period, revision), check, *values),
            )
    outcome = run_dbt(warehouse, ["build", "--select", *SELECT], settings)
    assert outcome.success, outcome.failures
    return {"url": warehouse, "settings": settings}


def in_force_of_slots(conn) -> dict[tuple, int]:
    """(province, dataset, period) -> the loaded file in force, computed here from the manifest:
    the latest delivered (then by file name, then revision)."""
    latest: dict[tuple, tuple] = {}
    for submission_id, province, dataset, period, delivered_at, key, revision in conn.execute(
        """select submission_id, province_code, dataset, period, delivered_at, source_key, revision
           from ops.submission where status = 'loaded'"""
    ):
        slot, order = (province, dataset, period), (delivered_at, key, revision)
        if slot not in latest or order > latest[slot][0]:
            latest[slot] = (order, submission_id)
    return {slot: submission_id for slot, (_, submission_id) in latest.items()}


def test_slot_metrics_are_the_measures_of_each_slots_file_in_force(built):
    """Every measure of the file in force of each slot, and days_late of the slot's first file
    (the only one measured for it), whichever revision is in force."""
    with psycopg.connect(built["url"]) as conn:
        in_force = set(in_force_of_slots(conn).values())
        measured = conn.execute(
            """select s.province_code, s.dataset, s.period, m.metric, m.value, m.submission_id, s.revision,
                      s.night
               from dq.file_metric m join ops.submission s using (submission_id)"""
        ).fetchall()
        found = conn.execute(
            """select province_code, dataset, period, metric, value, submission_id, revision, processed_night
               from marts.fct_dq_slot_metrics"""
        ).fetchall()
    expected = [r for r in measured if r[5] in in_force or r[3] == "days_late"]
    assert len(expected) > 200 and sorted(found) == sorted(expected)


def test_a_resubmitted_slot_shows_its_new_file_and_its_first_files_lateness(built):
    with psycopg.connect(built["url"]) as conn:
        first, second = (file_of(conn, B, "activities", "2026-11", r) for r in (1, 2))
        rows = dict(conn.execute("select submission_id, rows_received from ops.submission").fetchall())
        slot = {
            metric: (value, submission_id, revision)
            for metric, value, submission_id, revision in conn.execute(
                """select metric, value, submission_id, revision from marts.fct_dq_slot_metrics
                   where province_code = %s and dataset = 'activities' and period = '2026-11'""",
                (B,),
            )
        }
    assert rows[second] == rows[first] - 1
    assert slot["rows"] == (rows[second], second, 2)
    assert slot["days_late"][1:] == (first, 1)  # the delivery judged against the due date
    assert {s for _, s, _ in slot.values()} == {first, second}
    assert {metric: s for metric, (_, s, _) in slot.items() if s == first} == {"days_late": first}


def expected_anomalies(conn) -> dict[tuple, dict]:
    """Each row of dq.anomaly as the mart should carry it, from the manifest and the words of
    thanrak.observe.words (what the report and the alerts say)."""
    in_force = set(in_force_of_slots(conn).values())
    expected = {}
    for row in conn.execute(
        """select a.submission_id, s.province_code, s.dataset, s.period, s.revision, s.night, s.delivered_at,
                  a.check_name, a.observed, a.expected, a.expected_low, a.expected_high, a.score, a.direction,
                  a.level, a.baseline, a.history_periods, a.detail, a.assessed_at
           from dq.anomaly a join ops.submission s using (submission_id)"""
    ):
        submission_id, province, dataset, period, revision, night, delivered_at, check, *judged = row
        observed, expected_value, low, high, score, direction, level, baseline, periods, detail, assessed = (
            judged
        )
        metric, _, column = check.partition(":")
        code = detail.get("code")
        label_th, label_en = check_label(dataset, check)
        names = code_name(dataset, check, code) if code else (None, None)
        expected[submission_id, check] = {
            "province_code": province, "dataset": dataset, "period": period, "revision": revision,
            "processed_night": night, "delivered_at": delivered_at, "is_in_force": submission_id in in_force,
            "metric": metric, "column_name": column or None, "code": code,
            "history_metric": f"code_share:{column}:{code}" if code else check,
            "observed": observed, "expected": expected_value, "expected_low": low, "expected_high": high,
            "score": score, "direction": direction, "level": level,
            "level_order": {"low": 1, "medium": 2, "high": 3}[level], "baseline": baseline,
            "history_periods": periods, "code_share": detail.get("share"),
            "usual_code_share": detail.get("usual_share"), "check_label_th": label_th, "check_label_en": label_en,
            "code_name_th": names[0], "code_name_en": names[1],
            "direction_th": DIRECTIONS[direction][0], "direction_en": DIRECTIONS[direction][1],
            "level_th": LEVELS[level][0], "level_en": LEVELS[level][1],
            "baseline_th": BASELINES[baseline][0], "baseline_en": BASELINES[baseline][1], "assessed_at": assessed,
        }  # fmt: skip
    return expected


def mart_anomalies(conn) -> dict[tuple, dict]:
    cursor = conn.execute("select * from marts.fct_dq_anomalies")
    columns = [c.name for c in cursor.description]
    return {
        (found["submission_id"], found.pop("check_name")): found
        for found in (dict(zip(columns, row, strict=True)) for row in cursor.fetchall())
    }


def test_each_unusual_check_is_one_row_with_its_slot_and_its_words(built):
    with psycopg.connect(built["url"]) as conn:
        expected, found = expected_anomalies(conn), mart_anomalies(conn)
    assert set(found) == set(expected)
    for key, row in found.items():
        del row["submission_id"]
        assert row == expected[key], key


def test_the_spoilt_file_is_flagged_with_the_contracts_words(built):
    """The measures thanrak.observe judged: the spoilt file's total and product categories."""
    with psycopg.connect(built["url"]) as conn:
        spoilt = file_of(conn, A, "otop_sales", "2026-11")
        found = {check: row for (s, check), row in mart_anomalies(conn).items() if s == spoilt}
    revenue = found["sum:revenue_baht"]
    assert revenue["direction"] == "higher" and revenue["observed"] > revenue["expected_high"]
    assert (revenue["check_label_th"], revenue["check_label_en"]) == (
        "ยอดรวม: ยอดจำหน่าย (บาท)",
        "Total: Revenue (baht)",
    )
    shift = found["code_shift:product_category"]
    assert (shift["code"], shift["code_share"], shift["direction"]) == ("herbal_non_food", 1.0, "shifted")
    assert shift["history_metric"] == "code_share:product_category:herbal_non_food"
    assert (shift["code_name_th"], shift["code_name_en"]) == (
        "สมุนไพรที่ไม่ใช่อาหาร",
        "Herbal products (non-food)",
    )
    assert shift["check_label_th"] == "สัดส่วนรหัส: ประเภทผลิตภัณฑ์" and shift["usual_code_share"] < 0.5


def test_the_hand_made_checks_carry_their_labels_and_the_file_in_force(built):
    with psycopg.connect(built["url"]) as conn:
        found = mart_anomalies(conn)
        late, empty, superseded = (
            found[file_of(conn, p, d, period, r), check] for p, d, period, r, check, *_ in HAND_MADE
        )
    assert (late["check_label_th"], late["direction_th"], late["baseline_en"]) == (
        "วันที่ส่งเทียบกำหนด (วัน)",
        "ส่งช้ากว่าปกติ",
        "the same month of earlier years",
    )
    assert late["column_name"] is None and late["level_order"] == 3
    assert (empty["check_label_en"], empty["column_name"]) == ("Share left empty: Star rating", "star_rating")
    assert superseded["is_in_force"] is False and superseded["revision"] == 1


@pytest.fixture(scope="module")
def reader(built):
    """connect(role): a connection as a new LOGIN role that is a member of `role`."""
    made, connections = [], []

    def connect(role: str) -> psycopg.Connection:
        name, password = f"thanrak_test_dq_{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(16)
        with psycopg.connect(built["url"], autocommit=True) as admin:
            admin.execute(
                sql.SQL("create role {} login password {} in role {}").format(
                    sql.Identifier(name), sql.Literal(password), sql.Identifier(role)
                )
            )
        made.append(name)
        connections.append(psycopg.connect(built["url"], user=name, password=password, autocommit=True))
        return connections[-1]

    yield connect
    for conn in connections:
        conn.close()
    with psycopg.connect(built["url"], autocommit=True) as admin:
        for name in made:
            admin.execute(sql.SQL("drop owned by {}").format(sql.Identifier(name)))
            admin.execute(sql.SQL("drop role {}").format(sql.Identifier(name)))


def test_bi_reader_reads_every_unusual_check_by_name(built, reader):
    with psycopg.connect(built["url"]) as conn:
        expected = expected_anomalies(conn)
        spoilt = file_of(conn, A, "otop_sales", "2026-11")
    rows = (
        reader("bi_reader")
        .execute(
            """select submission_id, check_name, province_name_th, dataset_title_en, code_share_pct,
                  is_latest_night, check_label_en
           from bi.dq_anomalies"""
        )
        .fetchall()
    )
    assert {(r[0], r[1]) for r in rows} == set(expected)
    shift = next(r for r in rows if r[:2] == (spoilt, "code_shift:product_category"))
    assert shift[2:6] == ("นครราชสีมา", "OTOP sales", 100.0, False)  # the latest night is the resubmission's
    assert {r[6] for r in rows} == {e["check_label_en"] for e in expected.values()}


def test_a_provincial_reader_sees_its_own_provinces_rows_only(built, reader):
    conn = reader(f"thanrak_province_reader_{B}")
    for relation in ("bi.dq_anomalies", "marts.fct_dq_anomalies", "marts.fct_dq_slot_metrics"):
        provinces = {p for (p,) in conn.execute(f"select distinct province_code from {relation}")}
        assert provinces == {B}, relation


def test_every_nights_selection_rebuilds_the_unusual_deliveries(built):
    """thanrak.observe writes dq.file_metric and dq.anomaly every night with files: the dq
    sources' descendants are in every night's selection (Selection.select), with files or none."""
    from dbt.cli.main import dbtRunner  # heavy import, only here

    settings = built["settings"]
    for datasets in ((), ("otop_sales",)):
        result = dbtRunner().invoke(
            [
                "ls", "--project-dir", str(settings.dbt_project_dir), "--profiles-dir",
                str(settings.dbt_project_dir), "--target-path", str(settings.dbt_target_dir), "--log-path",
                str(settings.var_dir / "dbt" / "logs"), "--quiet",
                "--resource-type", "model", "--output", "name",
                "--select", *Selection(datasets, "files of the night", "any").select(),
            ]
        )  # fmt: skip
        assert result.success, result.exception
        assert set(result.result) >= MODELS, datasets
