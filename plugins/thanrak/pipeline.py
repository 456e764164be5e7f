"""The nightly pipeline's stages, one function each. DAG tasks are thin calls into these, so
every stage runs (and is tested) without Airflow.

A province's files go through extract, validate and load in one call, `Stages.process_batch`,
in order, a file's load overlapping the next file's extract and validate. A file travels as a
`FileItem`: its rows stay in memory, from one step to the next, and are dropped once the file is
loaded; only the rest of it becomes a plain dict, where Airflow keeps it in XCom.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import pandas as pd
import psycopg

from thanrak.contract.declarations import load_contract
from thanrak.extract.frame import FileRejected, extract, extract_in_folder
from thanrak.landing import discovery
from thanrak.landing.sources import Source, landing_source
from thanrak.load.files import LoadResult, load_validated, reject_after_failure, reject_unreadable
from thanrak.load.manifest import is_pending, night_problems
from thanrak.load.pseudonyms import KeysOutOfStep, Pseudonymiser
from thanrak.load.statistics import refresh_statistics
from thanrak.nights import BANGKOK_TZ, night_cutoff, night_window_start
from thanrak.observe.method import Method
from thanrak.observe.night import USUAL_VOLUMES_FILE, anomaly_facts, observe_night, usual_volumes
from thanrak.report.html_report import gather, write_html_report, write_scorecard_page
from thanrak.report.scorecard import scorecard_page
from thanrak.report.summary import night_summary, write_report
from thanrak.settings import Settings
from thanrak.transform.dbt_build import build_marts, night_selection
from thanrak.validate.validation import ProvinceAreas, Validation, province_areas, validate
from thanrak.warehouse.connection import connect
from thanrak.warehouse.migrate import migrate
from thanrak.warehouse.reference import load_reference
from thanrak.warehouse.run_log import record_stage, record_stages

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileItem:
    """One registered file on its way through extract, validate and load. Its rows (`frame`,
    then `validation`) exist only inside the process that runs the three steps: XCom never
    carries them."""

    submission: discovery.Submission
    encoding: str | None = None  # set by extract
    rows: int | None = None  # data rows extract found
    unreadable: tuple[str, str] | None = None  # extract could not read it: the reason (Thai, English)
    failed: str | None = None  # a stage raised on this file: which stage, and what
    loaded: LoadResult | None = None  # set by load
    frame: pd.DataFrame | None = field(default=None, repr=False, compare=False)  # extract -> validate
    validation: Validation | None = field(default=None, repr=False, compare=False)  # validate -> load

    def to_xcom(self) -> dict:
        """Plain JSON-able values, for Airflow's XCom: everything but the rows."""
        value = dataclasses.asdict(dataclasses.replace(self, frame=None, validation=None))
        del value["frame"], value["validation"]
        value["submission"]["delivered_at"] = self.submission.delivered_at.isoformat()
        return value

    @classmethod
    def from_xcom(cls, value: dict) -> FileItem:
        submission = {**value["submission"]}
        submission["delivered_at"] = dt.datetime.fromisoformat(submission["delivered_at"])
        return cls(
            submission=discovery.Submission(**submission),
            encoding=value["encoding"],
            rows=value["rows"],
            unreadable=tuple(value["unreadable"]) if value["unreadable"] else None,
            failed=value["failed"],
            loaded=LoadResult(**value["loaded"]) if value["loaded"] else None,
        )


def is_infrastructure_error(error: BaseException) -> bool:
    """An error of the machinery around a file or of its configuration (the database or the bucket
    unreachable, a time-out, pseudonym keys out of step), which a retry or an engineer cures;
    anything else a file causes would fail the same way every time."""
    if isinstance(error, psycopg.OperationalError | ConnectionError | TimeoutError | KeysOutOfStep):
        return True
    return type(error).__module__.startswith(("botocore", "urllib3")) and any(
        word in type(error).__name__ for word in ("Connection", "Timeout", "Endpoint")
    )


def raise_if_failed(items: list[FileItem]) -> None:
    """After a batch: a file that failed and could not even be closed with a verdict fails the
    province's task (after every other file of the batch went on)."""
    failed = [item for item in items if item.failed and item.loaded is None]
    if failed:
        raise RuntimeError(
            "files not loaded: " + "; ".join(f"{i.submission.key} ({i.failed})" for i in failed)
        )


class Stages:
    """The pipeline bound to one warehouse, landing source and settings."""

    def __init__(self, warehouse_url: str, settings: Settings | None = None, source: Source | None = None):
        self.settings = settings or Settings.from_env()
        self.url = warehouse_url
        self.source = source or landing_source(self.settings)
        self._areas: dict[str, ProvinceAreas] = {}
        self._pseudonymiser = Pseudonymiser.from_settings(self.settings)
        # while process_batch runs: .conn, this thread's connection; .log_rows, on the thread that
        # reads the files, the extract and validate rows it has not written yet
        self._batch = threading.local()

    @contextlib.contextmanager
    def _warehouse(self) -> Iterator[psycopg.Connection]:
        """This thread's batch connection inside process_batch, else one of the caller's own. All
        are autocommit: what must be all or nothing (a file's load) is a transaction of its own."""
        batch_conn = getattr(self._batch, "conn", None)
        if batch_conn is not None:
            yield batch_conn
            return
        with connect(self.url, autocommit=True) as conn:
            yield conn

    @contextlib.contextmanager
    def _logged(self, run_id: str, night: dt.date, stage: str, detail: dict) -> Iterator[dict]:
        started = dt.datetime.now(dt.UTC)
        yield detail
        held = getattr(self._batch, "log_rows", None)
        if held is not None and stage in ("extract", "validate"):
            held.append((run_id, night, stage, started, dt.datetime.now(dt.UTC), detail))
            return
        with self._warehouse() as conn:
            record_stage(conn, run_id, night, stage, started, detail)

    def prepare_warehouse(self) -> dict:
        """Applies pending migrations and refreshes reference data when its version changed."""
        with connect(self.url, autocommit=True) as conn:
            return {"migrations": migrate(conn), "reference": load_reference(conn)}

    def discover(self, run_id: str, night: dt.date, *, exact_window: bool = False) -> list[FileItem]:
        """The submissions waiting for this night: every file delivered by its cut-off and not
        processed yet or, for a backfill (`exact_window`), the files of that night's window only."""
        since = night_window_start(night) if exact_window else None
        with self._logged(run_id, night, "discover", {"exact_window": exact_window}) as detail:
            with connect(self.url, autocommit=True) as conn:
                pending = discovery.discover(conn, self.source, night, night_cutoff(night), since)
            detail["pending"] = len(pending)
        return [FileItem(submission) for submission in pending]

    def discover_by_province(
        self, run_id: str, night: dt.date, *, exact_window: bool = False
    ) -> list[list[FileItem]]:
        """The waiting submissions in one batch per province: the unit the DAG maps over. The
        largest batches first (by bytes, ties by province), so that workers taking them in turn
        end together: a national survey year's provinces range from 2 to 330 MB."""
        batches: dict[str, list[FileItem]] = {}
        for item in self.discover(run_id, night, exact_window=exact_window):
            batches.setdefault(item.submission.province_code, []).append(item)
        return sorted(
            batches.values(),
            key=lambda batch: (
                -sum(item.submission.byte_size for item in batch),
                batch[0].submission.province_code,
            ),
        )

    def process_batch(self, run_id: str, night: dt.date, items: list[FileItem]) -> list[FileItem]:
        """Extracts, validates and loads a batch (one province's files: the DAG's `ingest` task)
        with the rows in memory, over two warehouse connections: while a file loads in a thread
        of its own (mostly the server's COPY), the next file is read and validated. Files load in
        their order, at most two are in memory. A file whose step raises is closed with a verdict
        and the others go on; an infrastructure error stops the batch, to be retried (files
        loaded before it stay loaded, the rest wait). Raises at the end when a file could not
        even be closed. The planner statistics of the tables loaded are refreshed at the end
        where they went stale (load.statistics: a server may run without autovacuum).
        Each file's load writes its ops.run_log row as it ends (the night's progress counts
        them); the extract and validate rows are written together at the end of the batch,
        which spares two commits per file (about 1 ms each here)."""
        with (
            connect(self.url, autocommit=True) as conn,
            connect(self.url, autocommit=True) as load_conn,
            ThreadPoolExecutor(
                1, "load", initializer=setattr, initargs=(self._batch, "conn", load_conn)
            ) as loader,
        ):
            self._batch.conn, self._batch.log_rows = conn, []
            done: list[FileItem] = []
            loading: Future | None = None
            try:
                for item in items:
                    item = self._read(run_id, night, item)
                    if loading:
                        done.append(loading.result())
                    loading = loader.submit(self._guarded, self.load, run_id, night, item)
                if loading:
                    done.append(loading.result())
                record_stages(conn, self._batch.log_rows)
                self._batch.log_rows = None
                with self._logged(run_id, night, "refresh_statistics", {}) as detail:
                    detail["analyzed"] = refresh_statistics(conn)
            finally:
                if self._batch.log_rows:  # the batch broke off: keep what it timed, if the warehouse can
                    with contextlib.suppress(psycopg.Error):
                        record_stages(conn, self._batch.log_rows)
                self._batch.conn = self._batch.log_rows = None
        raise_if_failed(done)
        return done

    def _read(self, run_id: str, night: dt.date, item: FileItem) -> FileItem:
        """Extract then validate; a step that raises marks the file failed (its rows dropped),
        so that load closes it with a verdict."""
        for step in (self.extract, self.validate):
            item = self._guarded(step, run_id, night, item)
        return item

    @staticmethod
    def _guarded(step, run_id: str, night: dt.date, item: FileItem) -> FileItem:
        try:
            return step(run_id, night, item)
        except Exception as error:  # one file's failure must not stop the others
            if is_infrastructure_error(error):
                raise
            log.exception("%s failed for %s", step.__name__, item.submission.key)
            failure = f"{step.__name__}: {type(error).__name__}: {error}"
            return dataclasses.replace(item, failed=failure, frame=None, validation=None)

    def _province_areas(self, province_code: str) -> ProvinceAreas:
        """A province's codes, read once per Stages: a batch holds one province's files."""
        if province_code not in self._areas:
            with self._warehouse() as conn:
                self._areas[province_code] = province_areas(conn, province_code)
        return self._areas[province_code]

    def extract(self, run_id: str, night: dt.date, item: FileItem) -> FileItem:
        """Reads the file into the item's frame; a file that cannot be read travels on as a
        rejection."""
        if item.failed:
            return item
        submission = item.submission
        with self._logged(run_id, night, "extract", {"submission_id": submission.submission_id}) as detail:
            contract = load_contract(submission.dataset)
            try:
                extracted = extract_in_folder(
                    self.source.read_bytes(submission.key),
                    submission.key,
                    contract,
                    province=submission.province_code,
                    period=submission.period,
                )
            except FileRejected as rejected:
                detail["rejected"] = rejected.reason
                return dataclasses.replace(item, unreadable=(rejected.message_th, rejected.message_en))
            detail["rows"] = extracted.rows
            detail["total_rows_skipped"] = extracted.total_rows_skipped
        return dataclasses.replace(
            item, encoding=extracted.encoding, rows=extracted.rows, frame=extracted.frame
        )

    def validate(self, run_id: str, night: dt.date, item: FileItem) -> FileItem:
        """Runs the dataset's suite on the extracted frame: the item then carries the verdict and
        the rows with their reasons instead of the bare frame."""
        if item.unreadable or item.failed:
            return item
        submission = item.submission
        with self._logged(run_id, night, "validate", {"submission_id": submission.submission_id}) as detail:
            contract = load_contract(submission.dataset)
            checked = validate(
                item.frame,
                contract,
                period=submission.period,
                areas=self._province_areas(submission.province_code),
                delivered_on=submission.delivered_at.astimezone(BANGKOK_TZ).date(),
            )
            detail["bad_rows"] = int(checked.bad_rows.sum())
        return dataclasses.replace(item, frame=None, validation=checked)

    def load(self, run_id: str, night: dt.date, item: FileItem) -> FileItem:
        """Closes the file in one transaction of its own (load.files): loaded, or rejected with
        its reason. A kill in the middle leaves nothing of the file, and it stays pending."""
        submission_id = item.submission.submission_id
        with self._logged(run_id, night, "load", {"submission_id": submission_id}) as detail:
            with self._warehouse() as conn:
                if not is_pending(conn, submission_id):
                    # done by an earlier try or another worker: nothing to do
                    result = LoadResult(submission_id, "already_done")
                elif item.failed:
                    result = reject_after_failure(conn, submission_id, item.failed)
                elif item.unreadable:
                    result = reject_unreadable(conn, submission_id, *item.unreadable)
                else:
                    try:
                        result = load_validated(
                            conn,
                            submission_id,
                            load_contract(item.submission.dataset),
                            item.validation,
                            item.encoding,
                            self._pseudonymiser,
                        )
                    except Exception as error:  # the file's transaction is rolled back whole
                        if is_infrastructure_error(error):
                            raise
                        log.exception("load failed for %s", item.submission.key)
                        item = dataclasses.replace(item, failed=f"load: {type(error).__name__}: {error}")
                        result = reject_after_failure(conn, submission_id, item.failed)
            detail.update(dataclasses.asdict(result))
        return dataclasses.replace(item, loaded=result, validation=None)

    def observe(self, run_id: str, night: dt.date) -> dict:
        """Measures the files loaded since (dq.file_metric) and judges the night's against their
        province's history (dq.anomaly, severity warn: nothing is rejected). Returns the counts
        and the anomalies at or above the alert level, for the alert."""
        with self._logged(run_id, night, "observe", {}) as detail:
            with connect(self.url, autocommit=True) as conn:
                observed = observe_night(
                    conn, night, self.settings.dbt_project_dir / "seeds" / "province_regions.csv"
                )
                volumes = usual_volumes(conn)
            # for `thanrak check`: an office judges a file's rows before sending it
            folder = self.settings.reports_dir / night.isoformat()
            folder.mkdir(parents=True, exist_ok=True)
            (folder / USUAL_VOLUMES_FILE).write_text(
                json.dumps(volumes, ensure_ascii=False), encoding="utf-8"
            )
            detail.update(observed.to_detail())
        method = Method.from_contract()
        to_alert = [a for a in observed.anomalies if method.alerts(a.judgement.level)]
        return {**detail, "to_alert": [anomaly_facts(a) for a in to_alert]}

    def build_marts(self, run_id: str, night: dt.date, *, full: bool = False) -> dict:
        """`dbt build` of what the files since the last successful build touch (night_selection),
        or of every node with `full` or THANRAK_DBT_FULL=1. Logged only when it succeeded: the
        next night's selection starts from the last successful build."""
        with self._logged(run_id, night, "build_marts", {}) as detail:
            with connect(self.url) as conn:
                selection = night_selection(conn, night, self.settings, full=full)
            outcome = build_marts(self.url, self.settings, selection)
            detail.update(nodes=len(outcome.nodes), success=True, **selection.to_detail())
        return {"nodes": len(outcome.nodes), "selection": detail["selection"]}

    def build_data_docs(self, run_id: str, night: dt.date) -> dict:
        """GX Data Docs of the night, offline: per dataset, the suite and the validation of the
        file with the most quarantined rows, run through Great Expectations itself."""
        from thanrak.validate.data_docs import build_data_docs  # imports GX: only this stage needs it

        with self._logged(run_id, night, "build_data_docs", {}) as detail:
            with connect(self.url) as conn:
                picked = conn.execute(
                    """select distinct on (dataset) dataset, source_key, province_code, period
                       from ops.submission where night = %s and status = 'loaded'
                       order by dataset, rows_quarantined desc, submission_id""",
                    (night,),
                ).fetchall()
            validations = []
            for dataset, key, province, period in picked:
                contract = load_contract(dataset)
                frame = extract(self.source.read_bytes(key), key, contract).frame
                name = f"{province} {key.rsplit('/', 1)[-1]}"
                validations.append((name, contract, frame, period, self._province_areas(province)))
            site = self.settings.reports_dir / night.isoformat() / "data-docs"
            index = build_data_docs(site, validations, night=night, run_id=run_id)
            detail["index"] = str(index)
        return {"index": str(index), "validations": len(validations)}

    def write_report(self, run_id: str, night: dt.date) -> dict:
        """The night's summary (Markdown, JSON), the planners' pages (data quality with the
        downloads, the five-gear scorecard)."""
        with self._logged(run_id, night, "write_report", {}) as detail:
            folder = self.settings.reports_dir / night.isoformat()
            with connect(self.url) as conn:
                paths = write_report(night_summary(conn, night, run_id), folder)
                paths.append(write_html_report(gather(conn, night), folder))
                paths.append(write_scorecard_page(scorecard_page(conn, night), folder))
            detail["paths"] = [str(p) for p in paths]
        return {"paths": detail["paths"]}

    def verify_night(self, run_id: str, night: dt.date) -> dict:
        """Every file of the night is closed, and every loaded file's rows are all in raw or in
        quarantine: rows received = rows loaded + rows quarantined, counted in the tables."""
        with self._logged(run_id, night, "verify_night", {}) as detail:
            with connect(self.url) as conn:
                problems = night_problems(conn, night, night_cutoff(night))
            detail["problems"] = problems
        if problems:
            raise RuntimeError("night not complete: " + "; ".join(problems))
        return detail
