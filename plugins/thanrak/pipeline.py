"""The nightly pipeline's stages, one function each. DAG tasks are thin calls into these, so
every stage runs (and is tested) without Airflow.

Between the mapped stages a submission travels as a small dict; its rows travel as Parquet
files in the work folder, removed once the file is loaded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from thanrak.contract.declarations import load_contract
from thanrak.extract.frame import FileRejected, extract
from thanrak.landing import discovery
from thanrak.landing.sources import Source, landing_source
from thanrak.load.loading import LoadResult, is_pending, load_validated, night_problems, reject_unreadable
from thanrak.nights import night_cutoff, night_window_start
from thanrak.report.html_report import gather, write_html_report
from thanrak.report.summary import night_summary, write_report
from thanrak.settings import Settings
from thanrak.transform.dbt_build import DbtOutcome, build_marts
from thanrak.validate.validation import ProvinceAreas, Validation, province_areas, validate
from thanrak.warehouse.connection import connect
from thanrak.warehouse.migrate import migrate
from thanrak.warehouse.reference import load_reference

log = logging.getLogger(__name__)


class Stages:
    """The pipeline bound to one warehouse, landing source and work folder."""

    def __init__(self, warehouse_url: str, settings: Settings | None = None, source: Source | None = None):
        self.settings = settings or Settings.from_env()
        self.url = warehouse_url
        self.source = source or landing_source(self.settings)
        self._areas: dict[str, ProvinceAreas] = {}

    @contextlib.contextmanager
    def _logged(self, run_id: str, night: dt.date, stage: str, detail: dict) -> Iterator[dict]:
        started = dt.datetime.now(dt.UTC)
        yield detail
        with connect(self.url, autocommit=True) as conn:
            conn.execute(
                "insert into ops.run_log (run_id, night, stage, started_at, finished_at, detail) "
                "values (%s, %s, %s, %s, now(), %s)",
                (run_id, night, stage, started, json.dumps(detail, default=str)),
            )

    def prepare_warehouse(self) -> dict:
        """Applies pending migrations and refreshes reference data when its version changed."""
        with connect(self.url, autocommit=True) as conn:
            return {"migrations": migrate(conn), "reference": load_reference(conn)}

    def discover(self, run_id: str, night: dt.date, *, exact_window: bool = False) -> list[dict]:
        """The submissions waiting for this night: every file delivered by its cut-off and not
        processed yet or, for a backfill (`exact_window`), the files of that night's window only."""
        since = night_window_start(night) if exact_window else None
        with self._logged(run_id, night, "discover", {"exact_window": exact_window}) as detail:
            with connect(self.url, autocommit=True) as conn:
                pending = discovery.discover(conn, self.source, night, night_cutoff(night), since)
            detail["pending"] = len(pending)
        return [s.to_dict() for s in pending]

    def discover_by_province(
        self, run_id: str, night: dt.date, *, exact_window: bool = False
    ) -> list[list[dict]]:
        """The waiting submissions in one batch per province: the unit the DAG maps over."""
        batches: dict[str, list[dict]] = {}
        for submission in self.discover(run_id, night, exact_window=exact_window):
            batches.setdefault(submission["province_code"], []).append(submission)
        return [batches[province] for province in sorted(batches)]

    def for_each(self, stage: str, run_id: str, night: dt.date, items: list[dict]) -> list[dict]:
        """Runs a per-file stage over a batch. A file whose stage raises is marked failed and
        passed on, so the batch's other files go on; the load stage then reports it."""
        method = {"extract": self.extract, "validate": self.validate, "load": self.load}[stage]
        done = []
        for item in items:
            if "failed" in item:
                done.append(item)
                continue
            try:
                done.append(method(run_id, night, item))
            except Exception as error:  # one file's failure must not stop the others
                log.exception("%s failed for %s", stage, item["key"])
                done.append({**item, "failed": f"{stage}: {type(error).__name__}: {error}"})
        failed = [item for item in done if "failed" in item]
        if stage == "load" and failed:
            raise RuntimeError(
                "files not loaded: " + "; ".join(f"{i['key']} ({i['failed']})" for i in failed)
            )
        return done

    def _province_areas(self, province_code: str) -> ProvinceAreas:
        """A province's codes, read once per Stages: a batch holds one province's files."""
        if province_code not in self._areas:
            with connect(self.url) as conn:
                self._areas[province_code] = province_areas(conn, province_code)
        return self._areas[province_code]

    def _work_dir(self, submission: dict) -> Path:
        return self.settings.work_dir / str(submission["submission_id"])

    def extract(self, run_id: str, night: dt.date, submission: dict) -> dict:
        """Reads the file; a file that cannot be read travels on as a rejection."""
        with self._logged(run_id, night, "extract", {"submission_id": submission["submission_id"]}) as detail:
            contract = load_contract(submission["dataset"])
            try:
                extracted = extract(self.source.read_bytes(submission["key"]), submission["key"], contract)
            except FileRejected as rejected:
                detail["rejected"] = rejected.reason
                return {**submission, "rejected": [rejected.message_th, rejected.message_en]}
            work = self._work_dir(submission)
            work.mkdir(parents=True, exist_ok=True)
            extracted.frame.to_parquet(work / "extracted.parquet", index=False)
            detail["rows"] = extracted.rows
            detail["total_rows_skipped"] = extracted.total_rows_skipped
        return {**submission, "encoding": extracted.encoding, "rows": extracted.rows}

    def validate(self, run_id: str, night: dt.date, item: dict) -> dict:
        if "rejected" in item:
            return item
        with self._logged(run_id, night, "validate", {"submission_id": item["submission_id"]}) as detail:
            contract = load_contract(item["dataset"])
            work = self._work_dir(item)
            frame = pd.read_parquet(work / "extracted.parquet")
            checked = validate(
                frame, contract, period=item["period"], areas=self._province_areas(item["province_code"])
            )
            checked.save(work)
            detail["bad_rows"] = int(checked.bad_rows.sum())
        return item

    def load(self, run_id: str, night: dt.date, item: dict) -> dict:
        with self._logged(run_id, night, "load", {"submission_id": item["submission_id"]}) as detail:
            with connect(self.url) as conn:
                if not is_pending(conn, item["submission_id"]):
                    # loaded by an earlier try whose work files are gone: nothing to do
                    result = LoadResult(item["submission_id"], "already_done")
                elif "rejected" in item:
                    result = reject_unreadable(conn, item["submission_id"], *item["rejected"])
                else:
                    result = load_validated(
                        conn,
                        item["submission_id"],
                        load_contract(item["dataset"]),
                        Validation.read(self._work_dir(item)),
                        item["encoding"],
                    )
            shutil.rmtree(self._work_dir(item), ignore_errors=True)
            detail.update(result.__dict__)
        return result.__dict__

    def build_marts(self, run_id: str, night: dt.date) -> dict:
        with self._logged(run_id, night, "build_marts", {}) as detail:
            outcome = build_marts(self.url, self.settings)
            detail["nodes"] = len(outcome.nodes)
        return {"nodes": len(outcome.nodes)}

    def record_marts(
        self, run_id: str, night: dt.date, started: dt.datetime, task: str, nodes: list[dict]
    ) -> None:
        """The run-log row of one dbt invocation when Airflow runs dbt through Cosmos (one per
        task that ran dbt): the stage's time is from its first start to its last finish."""
        failed = [n["name"] for n in DbtOutcome(success=True, nodes=nodes).failures]
        detail = (
            {"task": task, "nodes": len(nodes), "failed": failed}
            if failed
            else {"task": task, "nodes": len(nodes)}
        )
        with connect(self.url, autocommit=True) as conn:
            conn.execute(
                "insert into ops.run_log (run_id, night, stage, started_at, finished_at, detail) "
                "values (%s, %s, 'build_marts', %s, now(), %s)",
                (run_id, night, started, json.dumps(detail)),
            )

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
                problems = night_problems(conn, night_cutoff(night))
            detail["problems"] = problems
        if problems:
            raise RuntimeError("night not complete: " + "; ".join(problems))
        return detail
