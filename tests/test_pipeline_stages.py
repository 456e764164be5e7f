"""The pipeline's stages without Airflow: a generated night of every dataset, with every kind of
defect, through discover -> extract -> validate -> load, into a real PostgreSQL."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from thanrak.contract.declarations import DATASETS
from thanrak.demo.entities import cdd_provinces, opc_results_month
from thanrak.demo.generator import FILE_DEFECTS, ROW_DEFECTS, generate_night
from thanrak.pipeline import Stages
from thanrak.settings import Settings

NIGHT = dt.date(2026, 11, 22)
PROVINCES = ["30", "40", "50", "57", "65", "96", "12", "84", "34", "20", "71"]
# and one that announces OPC results in November, so that every dataset has files
PROVINCES.append(next(p for p in cdd_provinces() if opc_results_month(p) == NIGHT.month))


@pytest.fixture(scope="module")
def processed(warehouse, tmp_path_factory):
    settings = Settings.in_folder(tmp_path_factory.mktemp("var"))
    generated = generate_night(
        settings.landing_dir,
        NIGHT,
        provinces=PROVINCES,
        scale=0.25,
        defect_rate=0.03,
        file_defects=len(FILE_DEFECTS),
    )
    stages = Stages(warehouse, settings)
    results = [
        stages.load("test", NIGHT, stages.validate("test", NIGHT, stages.extract("test", NIGHT, submission)))
        for submission in stages.discover("test", NIGHT)
    ]
    return generated, results


def test_the_generator_injected_every_kind_of_defect(processed):
    generated, _ = processed
    assert {d.kind for d in generated.defects} == set(ROW_DEFECTS) | set(FILE_DEFECTS)


def test_every_file_defect_rejects_its_file_with_the_expected_reason(processed, warehouse):
    generated, _ = processed
    with psycopg.connect(warehouse) as conn:
        manifest = {
            key: (status, th, en)
            for key, status, th, en in conn.execute(
                "select source_key, status, reject_reason_th, reject_reason_en from ops.submission"
            )
        }
    from thanrak.contract.messages import MESSAGES

    for defect in (d for d in generated.defects if d.source_row is None):
        status, th, en = manifest[defect.path]
        assert status == "rejected", defect
        expected_th = MESSAGES[defect.expected_rule][0].split("{")[0]
        assert th.startswith(expected_th), (defect, th)
        assert en, defect
    rejected = {k for k, (status, _, _) in manifest.items() if status == "rejected"}
    assert rejected == {d.path for d in generated.defects if d.source_row is None}


def test_every_row_defect_is_quarantined_with_the_expected_rule(processed, warehouse):
    generated, _ = processed
    with psycopg.connect(warehouse) as conn:
        quarantined = {
            (key, row): {(r["rule"], r["column"]) for r in reasons}
            for key, row, reasons in conn.execute(
                "select s.source_key, q.source_row, q.reasons from quarantine.row q join ops.submission s using (submission_id)"
            )
        }
    row_defects = [d for d in generated.defects if d.source_row is not None]
    assert len(row_defects) > 100
    missed = [
        d
        for d in row_defects
        if (d.expected_rule, d.column) not in quarantined.get((d.path, d.source_row), ())
    ]
    assert missed == []
    assert set(quarantined) == {(d.path, d.source_row) for d in row_defects}


def test_rows_add_up_for_every_loaded_file_of_every_dataset(processed, warehouse):
    generated, _ = processed
    with psycopg.connect(warehouse) as conn:
        for dataset in DATASETS:
            loaded = conn.execute(
                f"""select count(*), sum(s.rows_received),
                           sum((select count(*) from raw.{dataset} r where r.submission_id = s.submission_id)),
                           sum((select count(*) from quarantine.row q where q.submission_id = s.submission_id))
                    from ops.submission s where s.dataset = %s and s.status = 'loaded'""",
                (dataset,),
            ).fetchone()
            files, received, in_raw, in_quarantine = loaded
            assert files > 0, dataset
            assert received == in_raw + in_quarantine, dataset
    assert received > 0


def _waiting_batch(warehouse, tmp_path, night: dt.date, province: str, datasets: int):
    """A clean night of one province's first `datasets` datasets, discovered and waiting."""
    settings = Settings.in_folder(tmp_path)
    options = {"scale": 0.1, "file_defects": 0}
    generate_night(settings.landing_dir, night, provinces=[province], datasets=DATASETS[:datasets], **options)
    stages = Stages(warehouse, settings)
    (batch,) = stages.discover_by_province("test", night)
    return stages, batch


def test_a_file_whose_stage_breaks_does_not_stop_the_rest_of_its_province(
    processed, warehouse, tmp_path, monkeypatch
):
    """A bug met in one file closes that file with a verdict the officer can read and the error
    for the engineers (verify_night reports it), instead of leaving it pending to fail every
    retry (issue 11); the province's other files load."""
    night = NIGHT + dt.timedelta(days=1)
    stages, batch = _waiting_batch(warehouse, tmp_path, night, "30", 3)
    assert len(batch) == 3
    broken = batch[1].submission.key
    original = Stages.validate

    def validate_or_break(self, run_id, night, item):
        if item.submission.key == broken:
            raise ValueError("a bug met in one file")
        return original(self, run_id, night, item)

    monkeypatch.setattr(Stages, "validate", validate_or_break)
    done = stages.process_batch("test", night, batch)  # raises nothing: every file has a verdict
    assert {i.submission.key: i.loaded.status for i in done}[broken] == "rejected"
    with psycopg.connect(warehouse) as conn:
        statuses = dict(
            conn.execute(
                "select source_key, status from ops.submission where source_key = any(%s)",
                ([s.submission.key for s in batch],),
            ).fetchall()
        )
        reason_en, failure = conn.execute(
            "select reject_reason_en, failure from ops.submission where source_key = %s", (broken,)
        ).fetchone()
    assert statuses.pop(broken) == "rejected"
    assert set(statuses.values()) == {"loaded"}
    assert "could not process this file" in reason_en and "a bug met in one file" in failure
    with pytest.raises(RuntimeError, match="could not be processed: .*ValueError: a bug met in one file"):
        stages.verify_night("test", night)


def test_an_infrastructure_error_is_raised_for_a_retry_and_leaves_the_file_waiting(
    processed, warehouse, tmp_path, monkeypatch
):
    night = NIGHT + dt.timedelta(days=2)
    stages, batch = _waiting_batch(warehouse, tmp_path, night, "40", 1)

    def unreachable(self, run_id, night, item):
        raise psycopg.OperationalError("connection to server at 10.0.0.9 failed")

    monkeypatch.setattr(Stages, "validate", unreachable)
    with pytest.raises(psycopg.OperationalError):
        stages.process_batch("test", night, batch)
    with psycopg.connect(warehouse) as conn:
        (status,) = conn.execute(
            "select status from ops.submission where source_key = %s", (batch[0].submission.key,)
        ).fetchone()
        logged = conn.execute(
            "select stage from ops.run_log where night = %s and detail ->> 'submission_id' = %s",
            (night, str(batch[0].submission.submission_id)),
        ).fetchall()
    assert status == "discovered"  # the retry (or the next night) takes it
    assert logged == [("extract",)]  # held until the batch's end, written when it broke off


def test_a_batch_goes_through_on_two_warehouse_connections_with_a_run_log_row_per_file_and_step(
    processed, warehouse, tmp_path, monkeypatch
):
    """process_batch (the ingest task) extracts, validates and loads every file of a province
    over two connections (one reads and validates, one loads the file before), where each step
    of each file used to open its own; files close in their order; the run log keeps one row
    per file and step (and one for the statistics refreshed after the batch), and no file's rows
    are left on the items it returns."""
    night = NIGHT - dt.timedelta(days=10)  # before the nights other tests may leave files waiting
    stages, batch = _waiting_batch(warehouse, tmp_path, night, "50", 3)
    opened = []
    real_connect = psycopg.connect

    def counted_connect(*args, **kwargs):
        opened.append(args)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(psycopg, "connect", counted_connect)
    done = stages.process_batch("batch-run", night, batch)
    assert [item.loaded.status for item in done] == ["loaded"] * 3
    assert len(opened) == 2
    assert all(item.frame is None and item.validation is None for item in done)
    with real_connect(warehouse) as conn:
        closed_in_order = [
            submission_id
            for (submission_id,) in conn.execute(
                "select submission_id from ops.submission where submission_id = any(%s) order by processed_at",
                ([item.submission.submission_id for item in done],),
            )
        ]
        assert closed_in_order == [item.submission.submission_id for item in batch]
        logged = conn.execute(
            "select stage, count(*) from ops.run_log where run_id = 'batch-run' group by stage"
        ).fetchall()
        # a file's extract and validate rows, written at the batch's end, carry their own times
        steps_in_order = conn.execute(
            """select count(*) from ops.run_log e
               join ops.run_log v on v.detail ->> 'submission_id' = e.detail ->> 'submission_id'
               join ops.run_log l on l.detail ->> 'submission_id' = e.detail ->> 'submission_id'
               where e.run_id = 'batch-run' and e.stage = 'extract' and v.stage = 'validate'
                 and l.stage = 'load' and v.run_id = e.run_id and l.run_id = e.run_id
                 and e.started_at <= e.finished_at and e.finished_at <= v.started_at
                 and v.finished_at <= l.started_at"""
        ).fetchone()[0]
    assert dict(logged) == {"extract": 3, "validate": 3, "load": 3, "refresh_statistics": 1}
    assert steps_in_order == 3
