"""
### thanrak_nightly: one night of provincial deliveries, from landing file to mart

Every night at 01:00 Bangkok time the CDD offices of 76 provinces have delivered their files.
This DAG takes everything that arrived before the cut-off and is not yet processed:

1. **prepare_warehouse**: apply pending schema migrations, refresh reference data.
2. **discover_submissions**: register new files in `ops.submission` by content hash.
3. **ingest**: mapped over provinces, one task per province (its map index is the province
   code). Inside it each file is extracted, validated and loaded on its own, its rows in
   memory. A file that cannot be used is rejected with a reason in Thai and English; bad rows
   go to `quarantine.row` with every reason; good rows are copied into `raw.*`, one
   transaction per file. A file that breaks a step is closed with a verdict and does not stop
   the others; the task then fails, naming it. Per file and step, `ops.run_log` has a row
   (stage `extract`, `validate` or `load`) with its times.
4. **observe_deliveries**: measures each loaded file (rows, main totals, empty shares, code
   shares, lateness) and judges the night's files against their province's own history (or
   their region's peers): unusual ones go to `dq.anomaly` with severity warn (never rejected),
   and those at or above the alert level (contracts/observe.yaml) are sent as one alert.
5. **build_marts**: `dbt build` of the star schema (runs even if a file's task failed), through
   astronomer-cosmos: one task per dbt model and seed, rendered from the dbt manifest that
   `thanrak dbt-manifest` writes (no dbt runs while this file is parsed). Without a current
   manifest, or with `THANRAK_DBT_MODE=single`, it is one task running the whole `dbt build`.
   It builds only what the night's files touch: the raw datasets that got files and what reads
   them, and the delivery and data-quality marts (the other nodes' tasks are skipped); param
   `full_build` (or THANRAK_DBT_FULL=1) builds every node.
6. **build_data_docs**: Great Expectations Data Docs of the night, made to open offline.
7. **write_report**: the night's delivery and data-quality report for planners.
8. **verify_night**: runs whatever happened before it, and fails the run if a file was left
   unprocessed, its rows do not add up, or any task of the run (a dbt model, say) failed.
9. **announce_marts**: when every dbt model built, updates the marts' Airflow Assets
   (`marts.fct_scorecard`, ...) so DAGs scheduled on them run (see `thanrak_after_marts`).

A backfill run (`airflow backfill create --dag-id thanrak_nightly --from-date ... --to-date ...`,
or param `exact_window`) takes exactly the files delivered in its night's window, after the
previous night's cut-off; a nightly run also takes older files not processed yet. A task that
fails for good sends an alert through Airflow's notifiers (webhook and/or e-mail: docs/runbook.md).

The warehouse is `THANRAK_WAREHOUSE_URL`, or else the Airflow connection `thanrak_warehouse`.
Pass `{"night": "YYYY-MM-DD"}` to process a given night; by default it is the day before the
run's logical date.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Param, TriggerRule, dag, get_current_context, task

from thanrak.orchestration.alerts import ThanrakFailureNotifier, alert_unusual
from thanrak.orchestration.cosmos import DBT_GROUP_ID, dbt_task_group
from thanrak.orchestration.dag_support import (
    discover_batches,
    failed_tasks,
    ingest_batch,
    mart_assets,
    run_of,
    stages_for_airflow,
)


def _run() -> tuple[str, dt.date]:
    """The run id and the night this run processes."""
    return run_of(get_current_context())


@dag(
    dag_id="thanrak_nightly",
    # 01:00 Bangkok on D+1 runs night D: the run's logical date is that moment (its data
    # interval too: a cron trigger's interval with Airflow's default of zero length). An
    # `interval` would move the logical date back by the interval, and with it the night.
    schedule="0 1 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Bangkok"),
    catchup=False,
    max_active_runs=1,
    default_args={
        "owner": "thanrak-data",
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=1),
        "retry_exponential_backoff": True,
        "max_retry_delay": dt.timedelta(minutes=20),
        "on_failure_callback": ThanrakFailureNotifier(),
    },
    params={
        "night": Param(None, type=["null", "string"], format="date", description="Night to process"),
        "exact_window": Param(
            False, type="boolean", description="Only files delivered in the night's window"
        ),
        "full_build": Param(
            False, type="boolean", description="dbt builds every node, not only what the night touched"
        ),
    },
    tags=["thanrak", "nightly", "cdd"],
    doc_md=__doc__,
)
def thanrak_nightly():
    @task
    def prepare_warehouse() -> dict:
        """Applies the warehouse's pending schema migrations
        (`plugins/thanrak/warehouse/migrations/`), refreshes the reference data (provinces,
        amphoe, tambons, calendar) when its version changed and sets the role passwords from
        `THANRAK_*_PASSWORD`. Returns the migrations applied.
        **Failed?** A migration edited after it was applied is refused: put the change in a new
        migration. Otherwise the warehouse could not be reached (docs/runbook.md, "A failure
        alert arrived")."""
        return stages_for_airflow().prepare_warehouse()

    @task
    def discover_submissions() -> list[list[dict]]:
        """Lists the landing zone up to the night's cut-off (01:00 Bangkok on D+1), registers new
        files in `ops.submission` by content hash (new bytes for a known slot: its next
        revision) and returns every file still waiting, one batch per province, largest first.
        `ops.run_log` (stage `discover`) holds how many were waiting.
        **Failed?** The landing zone (folder or bucket) or the warehouse cannot be reached."""
        return discover_batches(get_current_context())

    @task(map_index_template="{{ province }}")
    def ingest(batch: list[dict]) -> list[dict]:
        """One province's files (its map index is the province code), file after file:
        extract (CSV/XLSX to a typed table), validate (the dataset's published suite) and load
        (one transaction per file: `raw.*`, bad rows to `quarantine.row`, verdict in
        `ops.submission`). A file that cannot be used is rejected with a Thai and English
        reason: that is data, not a failure. `ops.run_log` has a row per file and step.
        **Failed?** A file whose step raised is closed as rejected and named in the error
        (`files not loaded: ...`), after the province's other files; an infrastructure error
        stops the task for a retry. Fix, then rerun (docs/runbook.md, "Rerun one province for a
        night")."""
        return ingest_batch(batch)

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def observe_deliveries() -> dict:
        """Measures every file loaded since the last run (`dq.file_metric`: rows, the main
        totals, empty shares, code shares, days after the due date) and judges the night's files
        against their province's own history, the same month of earlier years, or the region's
        other provinces (docs/data-quality.md, "Unusual deliveries"). Unusual ones go to
        `dq.anomaly` with severity warn: nothing is rejected, the marts and the report show them.
        Those at or above the alert level (contracts/observe.yaml) are sent as one alert through
        the failure alerts' channels. Runs even if a province's ingest failed.
        **Failed?** The warehouse could not be reached, or a bug: the night's loads are kept;
        fix, then clear this task."""
        observed = stages_for_airflow().observe(*_run())
        alert_unusual(get_current_context(), observed.pop("to_alert"))
        return observed

    @task(task_id=DBT_GROUP_ID, trigger_rule=TriggerRule.ALL_DONE)
    def build_marts_in_one_task() -> dict:
        """The whole `dbt build` in one task (the marts in `marts.*`, the public views in
        `bi.*`): what the night's files touch, every node with param `full_build`. Used when no
        current dbt manifest was found (run `thanrak dbt-manifest`) or with THANRAK_DBT_MODE=single
        (`thanrak run-night`, `thanrak demo`). Runs even if a province's ingest failed. The log
        holds dbt's output, one line per node.
        **Failed?** A model or test failed: fix it in `dbt_project/`, then clear this task and
        what follows it (docs/runbook.md, "A failure alert arrived")."""
        full = get_current_context()["params"]["full_build"]
        return stages_for_airflow().build_marts(*_run(), full=full)

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def build_data_docs() -> dict:
        """Great Expectations Data Docs of the night, made to open offline: the suites and, per
        dataset with files tonight, the validation of its worst file, in
        `<reports>/<night>/data-docs/index.html`. Runs whatever happened before it."""
        return stages_for_airflow().build_data_docs(*_run())

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def write_report() -> dict:
        """The night's report for planners and engineers in `<reports>/<night>/`: `report.html`
        (completeness by due date, rules failing most, rejected files and rows per province),
        the scorecard page, per-province quarantine downloads (CSV, XLSX) to send back, and
        `night-report.md` / `.json` with the stage timings. Returns the paths written. Runs
        whatever happened before it."""
        return stages_for_airflow().write_report(*_run())

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def verify_night() -> None:
        """The night's books: every file delivered by the cut-off is closed (loaded or
        rejected), each loaded file's rows add up (`raw.*` + `quarantine.row` = rows received),
        and no task of the run failed. Runs whatever happened before it.
        **Failed?** Its message lists every problem and the failed tasks (docs/runbook.md,
        "verify_night failed")."""
        failed = failed_tasks(get_current_context())
        try:
            stages_for_airflow().verify_night(*_run())
        except RuntimeError as problems:
            raise RuntimeError(f"{problems}; failed tasks: {', '.join(failed) or 'none'}") from None
        if failed:
            raise RuntimeError("night not complete: failed tasks: " + ", ".join(failed))

    # NONE_FAILED: the sensors of dbt nodes a night's selection left out are skipped.
    @task(outlets=mart_assets(), trigger_rule=TriggerRule.NONE_FAILED)
    def announce_marts() -> None:
        """Updates the marts' Airflow Assets (`marts.fct_scorecard`, `marts.fct_scorecard_national`,
        `marts.fct_dq_completeness`, `marts.fct_bmn_household`) with the night in the event's
        extra, so that DAGs scheduled on them run (`thanrak_after_marts`). Runs only when no dbt
        task of the night failed; skipped ones (left out of the night's selection) are fine."""
        run_id, night = _run()
        for asset in mart_assets():
            get_current_context()["outlet_events"][asset].extra = {
                "night": night.isoformat(),
                "run_id": run_id,
            }

    submissions = discover_submissions()
    prepare_warehouse() >> submissions
    # A mapped task does not take its function's docstring as its doc by itself.
    loaded = ingest.override(doc_md=ingest.function.__doc__).expand(batch=submissions)
    observed = observe_deliveries()
    loaded >> observed
    marts = dbt_task_group()
    if marts is None:
        marts = build_marts_in_one_task()
    else:
        # dbt runs even if a file's task failed, like the other stages after load; inside the
        # group a model still waits for the success of the models it reads.
        for root in marts.roots:
            root.trigger_rule = TriggerRule.ALL_DONE
    checked = verify_night()
    observed >> marts >> build_data_docs() >> write_report() >> checked
    marts >> checked
    marts >> announce_marts()


thanrak_nightly()
