"""The nightly pipeline's stages, one function each. DAG tasks are thin calls into these, so
every stage runs (and is tested) without Airflow.

Between the per-file stages a delivered file travels as a `FileItem` (turned into a plain dict
only where Airflow keeps it in XCom); its rows travel as Parquet files in the work folder,
removed once the file is loaded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import psycopg

from thanrak.contract.declarations import load_contract
from thanrak.extract.frame import FileRejected, extract
from thanrak.landing import discovery
from thanrak.landing.sources import Source, landing_source
from thanrak.load.files import LoadResult, load_validated, reject_after_failure, reject_unreadable
from thanrak.load.manifest import is_pending, night_problems
from thanrak.load.pseudonyms import KeysOutOfStep, Pseudonymiser
from thanrak.nights import BANGKOK_TZ, night_cutoff, night_window_start
from thanrak.report.html_report import gather, write_html_report
from thanrak.report.summary import night_summary, write_report
from thanrak.settings import Settings
from thanrak.transform.dbt_build import build_marts
from thanrak.validate.validation import ProvinceAreas, Validation, province_areas, validate
from thanrak.warehouse.connection import connect
from thanrak.warehouse.migrate import migrate
from thanrak.warehouse.reference import load_reference
from thanrak.warehouse.run_log import record_stage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileItem:
    """One registered file on its way through extract, validate and load."""

    submission: discovery.Submission
    encoding: str | None = None  # set by extract
    rows: int | None = None  # data rows extract found
    unreadable: tuple[str, str] | None = None  # extract could not read it: the reason (Thai, English)
    failed: str | None = None  # a stage raised on this file: which stage, and what
    loaded: LoadResult | None = None  # set by load

    def to_xcom(self) -> dict:
        """Plain JSON-able values, for Airflow's XCom."""
        value = dataclasses.asdict(self)
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


# A per-file stage: (run id, night, item) -> the item one stage further.
FileStep = Callable[[str, dt.date, FileItem], FileItem]


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
    """After the last per-file stage: a file that failed and could not even be closed with a
    verdict fails the province's task (after every other file of the batch went on)."""
    failed = [item for item in items if item.failed and item.loaded is None]
    if failed:
        raise RuntimeError(
            "files not loaded: " + "; ".join(f"{i.submission.key} ({i.failed})" for i in failed)
        )


class Stages:
    """The pipeline bound to one warehouse, landing source and work folder."""

    def __init__(self, warehouse_url: str, settings: Settings | None = None, source: Source | None = None):
        self.settings = settings or Settings.from_env()
        self.url = warehouse_url
        self.source = source or landing_source(self.settings)
        self._areas: dict[str, ProvinceAreas] = {}
        self._pseudonymiser = Pseudonymiser.from_settings(self.settings)

    @contextlib.contextmanager
    def _logged(self, run_id: str, night: dt.date, stage: str, detail: dict) -> Iterator[dict]:
        started = dt.datetime.now(dt.UTC)
        yield detail
        with connect(self.url, autocommit=True) as conn:
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
        """The waiting submissions in one batch per province: the unit the DAG maps over."""
        batches: dict[str, list[FileItem]] = {}
        for item in self.discover(run_id, night, exact_window=exact_window):
            batches.setdefault(item.submission.province_code, []).append(item)
        return [batches[province] for province in sorted(batches)]

    def for_each(self, step: FileStep, run_id: str, night: dt.date, items: list[FileItem]) -> list[FileItem]:
        """Runs a per-file stage (`self.extract`, `self.validate`, `self.load`) over a batch. A file
        whose stage raises is marked failed and passed on, so the batch's other files go on, and
        load closes it with a verdict; an infrastructure error stops the batch, to be retried."""
        done = []
        for item in items:
            try:
                done.append(step(run_id, night, item))
            except Exception as error:  # one file's failure must not stop the others
                if is_infrastructure_error(error):
                    raise
                log.exception("%s failed for %s", step.__name__, item.submission.key)
                done.append(
                    dataclasses.replace(item, failed=f"{step.__name__}: {type(error).__name__}: {error}")
                )
        return done

    def process_batch(self, run_id: str, night: dt.date, items: list[FileItem]) -> list[FileItem]:
        """Extract, validate and load a batch, as the DAG's three mapped tasks do one after the
        other; raises afterwards when a file failed."""
        for step in (self.extract, self.validate, self.load):
            items = self.for_each(step, run_id, night, items)
        raise_if_failed(items)
        return items

    def _province_areas(self, province_code: str) -> ProvinceAreas:
        """A province's codes, read once per Stages: a batch holds one province's files."""
        if province_code not in self._areas:
            with connect(self.url) as conn:
                self._areas[province_code] = province_areas(conn, province_code)
        return self._areas[province_code]

    def _work_dir(self, item: FileItem) -> Path:
        return self.settings.work_dir / str(item.submission.submission_id)

    def extract(self, run_id: str, night: dt.date, item: FileItem) -> FileItem:
        """Reads the file; a file that cannot be read travels on as a rejection."""
        if item.failed:
            return item
        submission = item.submission
        with self._logged(run_id, night, "extract", {"submission_id": submission.submission_id}) as detail:
            contract = load_contract(submission.dataset)
            try:
                extracted = extract(self.source.read_bytes(submission.key), submission.key, contract)
            except FileRejected as rejected:
                detail["rejected"] = rejected.reason
                return dataclasses.replace(item, unreadable=(rejected.message_th, rejected.message_en))
            work = self._work_dir(item)
            work.mkdir(parents=True, exist_ok=True)
            extracted.frame.to_parquet(work / "extracted.parquet", index=False)
            detail["rows"] = extracted.rows
            detail["total_rows_skipped"] = extracted.total_rows_skipped
        return dataclasses.replace(item, encoding=extracted.encoding, rows=extracted.rows)

    def validate(self, run_id: str, night: dt.date, item: FileItem) -> FileItem:
        if item.unreadable or item.failed:
            return item
        submission = item.submission
        with self._logged(run_id, night, "validate", {"submission_id": submission.submission_id}) as detail:
            contract = load_contract(submission.dataset)
            work = self._work_dir(item)
            frame = pd.read_parquet(work / "extracted.parquet")
            checked = validate(
                frame,
                contract,
                period=submission.period,
                areas=self._province_areas(submission.province_code),
                delivered_on=submission.delivered_at.astimezone(BANGKOK_TZ).date(),
            )
            checked.save(work)
            detail["bad_rows"] = int(checked.bad_rows.sum())
        return item

    def load(self, run_id: str, night: dt.date, item: FileItem) -> FileItem:
        submission_id = item.submission.submission_id
        with self._logged(run_id, night, "load", {"submission_id": submission_id}) as detail:
            with connect(self.url) as conn:
                if not is_pending(conn, submission_id):
                    # loaded by an earlier try whose work files are gone: nothing to do
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
                            Validation.read(self._work_dir(item)),
                            item.encoding,
                            self._pseudonymiser,
                        )
                    except Exception as error:  # the file's transaction is rolled back whole
                        if is_infrastructure_error(error):
                            raise
                        log.exception("load failed for %s", item.submission.key)
                        item = dataclasses.replace(item, failed=f"load: {type(error).__name__}: {error}")
                        result = reject_after_failure(conn, submission_id, item.failed)
            shutil.rmtree(self._work_dir(item), ignore_errors=True)
            detail.update(dataclasses.asdict(result))
        return dataclasses.replace(item, loaded=result)

    def build_marts(self, run_id: str, night: dt.date) -> dict:
        with self._logged(run_id, night, "build_marts", {}) as detail:
            outcome = build_marts(self.url, self.settings)
            detail["nodes"] = len(outcome.nodes)
        return {"nodes": len(outcome.nodes)}

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
            index = build_data_docs(self.settings.reports_dir / night.isoformat() / "data-docs", validations)
            detail["index"] = str(index)
        return {"index": str(index), "validations": len(validations)}

    def write_report(self, run_id: str, night: dt.date) -> dict:
        """The night's summary (Markdown, JSON) and the planners' HTML report with downloads."""
        with self._logged(run_id, night, "write_report", {}) as detail:
            folder = self.settings.reports_dir / night.isoformat()
            with connect(self.url) as conn:
                paths = write_report(night_summary(conn, night, run_id), folder)
                paths.append(write_html_report(gather(conn, night), folder))
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
