"""The expectation suites: built from the contract with Great Expectations' classes, published
as JSON in expectations/ (`thanrak publish-contract`; a test keeps them equal), and read back
from there by validation, so the nightly path never imports GX unless asked to run it.

Every expectation's `meta` names its rule, its column and its severity (reject the file,
quarantine the row, or warn): the one place severities live.
"""

from __future__ import annotations

import json
import logging
import re
from functools import cache, partial

from thanrak.contract.declarations import Column, Contract, code_lists, load_contract
from thanrak.settings import EXPECTATIONS_DIR

SUITES_DIR = EXPECTATIONS_DIR


@cache
def suite_definition(dataset: str) -> dict:
    """The published suite of a dataset, as JSON (GX's own suite format)."""
    return json.loads((SUITES_DIR / f"{dataset}.json").read_text(encoding="utf-8"))


def render_suite(dataset: str) -> str:
    """A dataset's suite as JSON, built from its contract, for expectations/<dataset>.json."""
    return json.dumps(build_suite(load_contract(dataset)).to_json_dict(), ensure_ascii=False, indent=1) + "\n"


@cache
def gx_context():
    """One ephemeral GX context per process: suites live in files, results in the warehouse."""
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    return context


@cache
def gx_suite(dataset: str):
    """The published suite as a GX ExpectationSuite, to run it through GX itself."""
    import great_expectations as gx

    gx_context()
    return gx.ExpectationSuite(**suite_definition(dataset))


def suite_name(contract: Contract) -> str:
    return f"{contract.dataset}.v{contract.version}"


def build_suite(contract: Contract):
    """The expectation suite of a dataset, derived from its contract alone."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    gx_context()  # GX builds suites only inside a context
    suite = gx.ExpectationSuite(name=suite_name(contract))
    for column in contract.columns:
        for expectation in _column_expectations(contract, column):
            suite.add_expectation(expectation)
    for rule in contract.rules:
        meta = _meta(rule.name, rule.column, rule.severity)
        if rule.kind == "not_greater_than":
            suite.add_expectation(
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=rule.than,
                    column_B=rule.column,
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                    meta=meta,
                )
            )
        elif rule.kind == "per_member":  # on the gap validation derives (thanrak.validate.validation.prepare)
            suite.add_expectation(
                gxe.ExpectColumnValuesToBeBetween(
                    column=rule.derived_column, max_value=rule.tolerance, meta=meta
                )
            )
        else:
            raise ValueError(f"{contract.dataset}: unknown rule kind {rule.kind}")
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
    import great_expectations.expectations as gxe

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
                regex=f"^(?:{one})(?:;(?:{one}))*$",
                meta=_meta("not_in_code_list", name, "quarantine_row"),
            )
        )
    if column.type == "area_code":
        out += _area_expectations(contract, column)
    if name == contract.pii_column:
        out.append(
            gxe.ExpectColumnValuesToNotMatchRegex(
                column=name, regex=PII_IN_CLEAR, meta=_meta("pii_in_clear", name, "reject_file")
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
        in_period = partial(
            gxe.ExpectColumnValuesToBeBetween,
            column=name,
            min_value={"$PARAMETER": "period_start"},
            max_value={"$PARAMETER": "period_end"},
        )
        out.append(in_period(meta=_meta("outside_period", name, "quarantine_row")))
        # most rows of another month: the file sits in the wrong period's folder
        out.append(in_period(mostly=0.5, meta=_meta("wrong_period_folder", name, "reject_file")))
    return out


# A 13-digit citizen ID or an 11-digit house ID, with or without dashes or spaces.
PII_IN_CLEAR = r"^(?:[0-9][- ]?){11}(?:[0-9][- ]?[0-9])?$"


def _area_expectations(contract: Contract, column: Column) -> list:
    """Codes must exist in the file's province (row check); and when most do not, the file
    sits in the wrong province's folder (file check)."""
    import great_expectations.expectations as gxe

    first_area_column = next(c for c in contract.columns if c.type == "area_code")
    if column.level == "village":  # no village register ships with geothai: tambon + หมู่ 01-99
        check = partial(
            gxe.ExpectColumnValuesToMatchRegex, column=column.name, regex={"$PARAMETER": "village_regex"}
        )
    else:
        check = partial(
            gxe.ExpectColumnValuesToBeInSet,
            column=column.name,
            value_set={"$PARAMETER": f"{column.level}_codes"},
        )
    out = [check(meta=_meta("bad_area_code", column.name, "quarantine_row"))]
    if column is first_area_column:
        out.append(check(mostly=0.5, meta=_meta("wrong_province_folder", column.name, "reject_file")))
    return out
