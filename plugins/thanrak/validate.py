"""Validate: the contract's rules, run as a Great Expectations suite, turned into per-row reasons.

Every expectation carries in its `meta` the rule name, the column and the severity (reject the
file, quarantine the row, or warn), so the suite itself is the one place severities live.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import logging
import re
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd

from thanrak.contract import Column, Contract, code_lists
from thanrak.extract import PROBLEMS, SOURCE_ROW
from thanrak.messages import message

REASONS = "_reasons"
logging.getLogger("great_expectations").setLevel(logging.WARNING)


@dataclass
class RuleResult:
    rule: str
    column: str
    severity: str
    failed_rows: int


@dataclass
class Validation:
    suite_name: str
    frame: pd.DataFrame  # the extracted frame plus _reasons (JSON list, '[]' when the row is good)
    rule_results: list[RuleResult] = field(default_factory=list)
    rejection: tuple[str, str, str] | None = None  # (reason, Thai, English) when the file is rejected

    @property
    def bad_rows(self) -> pd.Series:
        return self.frame[REASONS] != "[]"

    def save(self, folder: Path) -> None:
        """Writes the validated rows (Parquet) and the verdict (JSON) for the load stage."""
        self.frame.to_parquet(folder / "validated.parquet", index=False)
        verdict = {
            "suite_name": self.suite_name,
            "rejection": self.rejection,
            "rule_results": [asdict(r) for r in self.rule_results],
        }
        (folder / "validation.json").write_text(json.dumps(verdict, ensure_ascii=False))

    @classmethod
    def read(cls, folder: Path) -> Validation:
        verdict = json.loads((folder / "validation.json").read_text())
        return cls(
            suite_name=verdict["suite_name"],
            frame=pd.read_parquet(folder / "validated.parquet"),
            rule_results=[RuleResult(**r) for r in verdict["rule_results"]],
            rejection=tuple(verdict["rejection"]) if verdict["rejection"] else None,
        )


def suite_name(contract: Contract) -> str:
    return f"{contract.dataset}.v{contract.version}"


def build_suite(contract: Contract) -> gx.ExpectationSuite:
    """The expectation suite of a dataset, derived from its contract alone."""
    suite = gx.ExpectationSuite(name=suite_name(contract))
    for column in contract.columns:
        for expectation in _column_expectations(contract, column):
            suite.add_expectation(expectation)
    for rule in contract.rules:
        if rule.kind != "not_greater_than":
            raise ValueError(f"{contract.dataset}: unknown rule kind {rule.kind}")
        suite.add_expectation(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=rule.than,
                column_B=rule.column,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                meta=_meta(rule.name, rule.column, rule.severity),
            )
        )
    key = list(contract.key)
    unique = (
        gxe.ExpectColumnValuesToBeUnique(column=key[0], meta=_meta("duplicate_keys", key[0], "reject_file"))
        if len(key) == 1
        else gxe.ExpectCompoundColumnsToBeUnique(
            column_list=key, meta=_meta("duplicate_keys", "", "reject_file")
        )
    )
    suite.add_expectation(unique)
    return suite


def _meta(rule: str, column: str, severity: str) -> dict:
    return {"rule": rule, "column": column, "severity": severity}


def _column_expectations(contract: Contract, column: Column) -> list:
    name, out = column.name, []
    if column.required:
        out.append(
            gxe.ExpectColumnValuesToNotBeNull(column=name, meta=_meta("not_null", name, "quarantine_row"))
        )
    if column.pattern:
        out.append(
            gxe.ExpectColumnValuesToMatchRegex(
                column=name, regex=column.pattern, meta=_meta("bad_format", name, "quarantine_row")
            )
        )
    if column.type == "code":
        codes = [c.code for c in code_lists()[column.code_list]]
        out.append(
            gxe.ExpectColumnValuesToBeInSet(
                column=name, value_set=codes, meta=_meta("not_in_code_list", name, "quarantine_row")
            )
        )
    if column.type == "code_set":
        one = "|".join(re.escape(c.code) for c in code_lists()[column.code_list])
        out.append(
            gxe.ExpectColumnValuesToMatchRegex(
                column=name,
                regex=f"^({one})(;({one}))*$",
                meta=_meta("not_in_code_list", name, "quarantine_row"),
            )
        )
    if column.type == "area_code":
        out.append(
            gxe.ExpectColumnValuesToBeInSet(
                column=name,
                value_set={"$PARAMETER": f"{column.level}_codes"},
                meta=_meta("bad_area_code", name, "quarantine_row"),
            )
        )
    if column.min is not None or column.max is not None:
        out.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=name,
                min_value=column.min,
                max_value=column.max,
                meta=_meta("out_of_range", name, "quarantine_row"),
            )
        )
    if name == contract.date_column:
        out.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=name,
                min_value={"$PARAMETER": "period_start"},
                max_value={"$PARAMETER": "period_end"},
                meta=_meta("outside_period", name, "quarantine_row"),
            )
        )
    return out


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """'2026-11' -> (2026-11-01, 2026-11-30)."""
    year, month = (int(part) for part in period.split("-"))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


@cache
def _batch_definition():
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    return (
        context.data_sources.add_pandas("submissions")
        .add_dataframe_asset("file")
        .add_batch_definition_whole_dataframe("whole")
    )


@cache
def _suite(contract: Contract) -> gx.ExpectationSuite:
    return build_suite(contract)


def validate(frame: pd.DataFrame, contract: Contract, *, period: str, tambon_codes: list[str]) -> Validation:
    """Runs the dataset's suite on an extracted frame and gathers every failing row's reasons."""
    start, end = period_bounds(period)
    data = frame.copy()
    if contract.date_column:
        # GX compares dates as timestamps; nulls (unparseable dates) stay NaT and are skipped.
        data[contract.date_column] = pd.to_datetime(data[contract.date_column])
    result = (
        _batch_definition()
        .get_batch(batch_parameters={"dataframe": data})
        .validate(
            _suite(contract),
            expectation_parameters={
                "period_start": pd.Timestamp(start),
                "period_end": pd.Timestamp(end),
                "tambon_codes": tambon_codes,
            },
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [SOURCE_ROW]},
        )
    )
    reasons: dict[int, list[dict]] = {
        row: json.loads(p) for row, p in zip(frame[SOURCE_ROW], frame[PROBLEMS], strict=True)
    }
    unparsed = {(row, p["column"]) for row, problems in reasons.items() for p in problems}
    outcome = Validation(suite_name(contract), frame)
    for item in result.results:
        meta = item.expectation_config.meta
        if item.exception_info and item.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"expectation {meta['rule']} on {meta['column']} failed to run: {item.exception_info}"
            )
        failing = item.result.get("unexpected_index_list") or []
        failed_rows = len({entry[SOURCE_ROW] for entry in failing}) if failing else int(not item.success)
        outcome.rule_results.append(RuleResult(meta["rule"], meta["column"], meta["severity"], failed_rows))
        if item.success:
            continue
        if meta["severity"] == "reject_file":
            detail = ", ".join(sorted({str(e.get(meta["column"], "")) for e in failing})[:5])
            outcome.rejection = (meta["rule"], *message(meta["rule"], detail=detail))
        elif meta["severity"] == "quarantine_row":
            for entry in failing:
                row = int(entry[SOURCE_ROW])
                if (row, meta["column"]) not in unparsed:  # a value that did not parse is reported once
                    reasons[row].append(_reason(contract, meta, entry))
    frame = frame.copy()
    frame[REASONS] = [json.dumps(reasons[row], ensure_ascii=False, default=str) for row in frame[SOURCE_ROW]]
    outcome.frame = frame
    return outcome


def _reason(contract: Contract, meta: dict, entry: dict) -> dict:
    rule = next((r for r in contract.rules if r.name == meta["rule"]), None)
    column = contract.column(meta["column"])
    value = _plain(entry.get(meta["column"]))
    if rule:
        th, en = rule.message_th, rule.message_en
        value = {rule.column: _plain(entry.get(rule.column)), rule.than: _plain(entry.get(rule.than))}
    else:
        th, en = message(meta["rule"], column_th=column.th, column_en=column.en, value=value)
    return {"rule": meta["rule"], "column": column.name, "value": value, "message_th": th, "message_en": en}


def _plain(value: object) -> object:
    """A value as JSON can hold it: missing -> None, timestamps -> ISO dates, numpy -> Python."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value.item() if hasattr(value, "item") else value
