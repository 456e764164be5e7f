"""Validate: the dataset's expectation suite run on a file, turned into per-row reasons.

Every expectation carries in its `meta` the rule name, the column and the severity (reject the
file, quarantine the row, or warn), so the suite itself is the one place severities live.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache

import pandas as pd

from thanrak.contract.declarations import Contract
from thanrak.contract.rules import COLUMN_CHECKS, TYPED_TEXT, declared_kind, plain, rule_kind
from thanrak.extract.frame import AS_TYPED, PROBLEMS, SOURCE_ROW
from thanrak.validate.bulk import CompiledExpectation, ExpectationOutcome, compile_suite, evaluate
from thanrak.validate.suites import gx_context, gx_suite, suite_definition, suite_name

REASONS = "_reasons"


@dataclass
class RuleResult:
    rule: str
    column: str
    severity: str
    failed_rows: int


@dataclass
class Validation:
    suite_name: str
    frame: pd.DataFrame  # the extracted frame plus _reasons (a JSON list, None when the row is good)
    rule_results: list[RuleResult] = field(default_factory=list)
    rejection: tuple[str, str, str] | None = None  # (reason, Thai, English) when the file is rejected

    @property
    def bad_rows(self) -> pd.Series:
        return self.frame[REASONS].notna()


@dataclass(frozen=True)
class ProvinceAreas:
    """The codes that exist in one province, to check a file from that province's folder."""

    province_code: str
    amphoe_codes: tuple[str, ...]
    tambon_codes: tuple[str, ...]
    # codes DOPA abolished in this province: (code, abolished on, successor codes)
    abolished: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    def successor_of(self, code: str) -> tuple[str, tuple[str, ...]] | None:
        """(abolished on, successors) when `code`, or the tambon a village code is in, was abolished."""
        for abolished_code, abolished_on, successors in self.abolished:
            if code in (abolished_code, code[:6] if len(code) == 8 else None):
                return abolished_on, successors
        return None

    def parameters(self) -> dict:
        tambons = "|".join(self.tambon_codes)
        return {
            "tambon_codes": list(self.tambon_codes),
            # a provincial office reports as <province>00, a district office by its amphoe code
            "unit_codes": [*self.amphoe_codes, f"{self.province_code}00"],
            "amphoe_codes": list(self.amphoe_codes),
            "village_regex": f"^(?:{tambons})(?:0[1-9]|[1-9][0-9])$",
        }


def province_areas_from_geothai(province_code: str) -> ProvinceAreas:
    """The same codes straight from geothai, for checks that run without a warehouse."""
    import geothai
    from geothai.abolished import abolished_areas

    districts = geothai.districts(province_code)
    tambons = tuple(s.code for d in districts for s in geothai.subdistricts(d.code))
    abolished = tuple(
        (a.code, str(a.abolished_on), tuple(a.successors))
        for a in abolished_areas()
        if a.code.startswith(province_code)
    )
    return ProvinceAreas(province_code, tuple(d.code for d in districts), tambons, abolished)


def province_areas(conn, province_code: str) -> ProvinceAreas:
    """The province's amphoe and tambon codes from ref (loaded from geothai)."""
    amphoes = conn.execute(
        "select amphoe_code from ref.amphoe where province_code = %s order by 1", (province_code,)
    ).fetchall()
    tambons = conn.execute(
        "select tambon_code from ref.tambon where province_code = %s order by 1", (province_code,)
    ).fetchall()
    abolished = conn.execute(
        """select area_code, abolished_on::text, successor_codes from ref.abolished_area
           where area_code like %s || '%%' order by 1""",
        (province_code,),
    ).fetchall()
    return ProvinceAreas(
        province_code,
        tuple(a for (a,) in amphoes),
        tuple(t for (t,) in tambons),
        tuple((code, on, tuple(successors or ())) for code, on, successors in abolished),
    )


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """'2026-11' -> (2026-11-01, 2026-11-30)."""
    year, month = (int(part) for part in period.split("-"))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


@cache
def _compiled(contract: Contract) -> list[CompiledExpectation]:
    return compile_suite(suite_definition(contract.dataset))


def prepare(
    frame: pd.DataFrame,
    contract: Contract,
    *,
    period: str,
    areas: ProvinceAreas,
    delivered_on: dt.date | None = None,
) -> tuple[pd.DataFrame, dict]:
    """The frame as the suite expects it, and the suite's parameters for this file: dates as
    timestamps (nulls stay NaT and are skipped), columns that rules derive, period, areas and the
    day the file was delivered (Bangkok; unknown: the period's last day)."""
    data = frame.copy(deep=False)  # copy-on-write: the columns prepared below are the copy's only
    for column in contract.columns:
        if column.type in ("date", "month"):
            data[column.name] = pd.to_datetime(data[column.name])
    for kind in COLUMN_CHECKS:
        for column in contract.columns:
            kind.derive(data, contract, column)
    for rule in contract.rules:
        declared_kind(rule).derive(data, rule, contract)
    start, end = period_bounds(period)
    return data, {
        "period_start": pd.Timestamp(start),
        "period_end": pd.Timestamp(end),
        "delivered_on": pd.Timestamp(delivered_on or end),
        **areas.parameters(),
    }


def validate(
    frame: pd.DataFrame,
    contract: Contract,
    *,
    period: str,
    areas: ProvinceAreas,
    delivered_on: dt.date | None = None,
    engine: str = "bulk",
) -> Validation:
    """Runs the dataset's suite on an extracted frame and gathers every failing row's reasons.

    `engine="bulk"` evaluates the suite's expectations column-wise (thanrak.validate.bulk);
    `engine="gx"` runs the same suite through Great Expectations. Both give the same verdicts."""
    data, parameters = prepare(frame, contract, period=period, areas=areas, delivered_on=delivered_on)
    if engine == "gx":
        outcomes = _run_gx(data, contract, parameters)
    else:
        outcomes = evaluate(data, _compiled(contract), parameters, SOURCE_ROW)
    has_problems = frame[PROBLEMS].notna().to_numpy()  # rows extract could not read a value of
    reasons: dict[int, list[dict]] = {
        int(row): json.loads(p)
        for row, p in zip(
            frame[SOURCE_ROW].to_numpy()[has_problems], frame[PROBLEMS].to_numpy()[has_problems], strict=True
        )
    }
    unparsed = {(row, p["column"]) for row, problems in reasons.items() for p in problems}
    outcome = Validation(suite_name(contract), frame)
    prepared_rows = typed_rows = None  # made on the first failing row that needs them
    for result in outcomes:
        meta, entries = result.meta, result.failing
        failed_rows = len({e[SOURCE_ROW] for e in entries}) if entries else int(not result.success)
        rule_result = RuleResult(meta["rule"], meta["column"], meta["severity"], failed_rows)
        outcome.rule_results.append(rule_result)
        if result.success:
            continue
        declared = next((r for r in contract.rules if r.name == meta["rule"]), None)
        compared = (meta["column"],)
        if declared:  # show every value the rule compared, not the column it derived to compare them
            compared = declared_kind(declared).compared(declared, data.columns)
            if entries:
                prepared_rows = prepared_rows or _Rows(data)
                shown = [c for c in compared if c not in entries[0]]
                for entry, values in zip(entries, prepared_rows.of(entries, shown), strict=True):
                    entry.update(values)
        if meta["severity"] == "reject_file":
            kind = rule_kind(meta["rule"])
            if meta["column"]:
                values = [str(e.get(meta["column"], "")) for e in entries]
            else:  # a compound key: each repeated key's values, in the key's order
                values = [" / ".join(str(plain(e.get(k)) or "") for k in contract.key) for e in entries]
            column = contract.column(meta["column"]) if meta["column"] else None
            words = kind.rejection(values, province_code=areas.province_code, period=period, column=column)
            outcome.rejection = (meta["rule"], *words)
        elif meta["severity"] == "quarantine_row":
            typed_rows = typed_rows or _Rows(frame)
            typed = [AS_TYPED + name for name in compared if AS_TYPED + name in frame.columns]
            for entry, values in zip(entries, typed_rows.of(entries, typed), strict=True):
                entry[TYPED_TEXT] = {name.removeprefix(AS_TYPED): text for name, text in values.items()}
            judged = set()
            for entry in entries:
                row = int(entry[SOURCE_ROW])
                # A value that did not parse is reported once: not again by a rule that compared it.
                if not any((row, name) in unparsed for name in compared):
                    reasons.setdefault(row, []).append(_reason(contract, meta, entry, areas))
                    judged.add(row)
            rule_result.failed_rows = len(judged)  # the rule's count agrees with the reasons it gave
    outcome.frame = frame.assign(
        **{
            REASONS: frame[SOURCE_ROW].map(
                {row: json.dumps(found, ensure_ascii=False, default=str) for row, found in reasons.items()}
            )
        }
    )
    return outcome


class _Rows:
    """A frame's values looked up by row number, a column at a time (a cell at a time cost
    35 µs, a second on a file whose every row failed a rule)."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.rows = pd.Index(frame[SOURCE_ROW])

    def of(self, entries: list[dict], columns: list[str]) -> list[dict]:
        """{column: value} of `columns` for each failing row's entry, in the entries' order."""
        positions = self.rows.get_indexer([entry[SOURCE_ROW] for entry in entries])
        values = {name: self.frame[name].array.take(positions).tolist() for name in columns}
        return [{name: taken[at] for name, taken in values.items()} for at in range(len(entries))]


def _run_gx(data: pd.DataFrame, contract: Contract, parameters: dict) -> list[ExpectationOutcome]:
    """The suite through Great Expectations itself, every failing row listed (COMPLETE)."""
    result = (
        _gx_batch_definition()
        .get_batch(batch_parameters={"dataframe": data})
        .validate(
            gx_suite(contract.dataset),
            expectation_parameters=parameters,
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [SOURCE_ROW]},
        )
    )
    outcomes = []
    for item in result.results:
        meta = dict(item.expectation_config.meta)
        if item.exception_info and item.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"expectation {meta['rule']} on {meta['column']} failed to run: {item.exception_info}"
            )
        failing = list(item.result.get("unexpected_index_list") or [])
        outcomes.append(ExpectationOutcome(meta, bool(item.success), failing))
    # GX groups results its own way; keep the suite's order, as the bulk evaluator does
    order = {(e.meta["rule"], e.meta["column"]): i for i, e in enumerate(_compiled(contract))}
    return sorted(outcomes, key=lambda o: order[(o.meta["rule"], o.meta["column"])])


@cache
def _gx_batch_definition():
    return (
        gx_context()
        .data_sources.add_pandas("submissions")
        .add_dataframe_asset("file")
        .add_batch_definition_whole_dataframe("whole")
    )


def _reason(contract: Contract, meta: dict, entry: dict, areas: ProvinceAreas) -> dict:
    """A failing row's reason, in the words of its rule kind."""
    declared = next((r for r in contract.rules if r.name == meta["rule"]), None)
    if declared:
        return declared_kind(declared).reason(contract, declared, entry)
    return rule_kind(meta["rule"]).reason(contract, meta, entry, areas)
