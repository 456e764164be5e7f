"""The expectation suites: built from the contract with Great Expectations' classes, published
as JSON in expectations/ (`thanrak publish-contract`; a test keeps them equal), and read back
from there by validation, so the nightly path never imports GX unless asked to run it.

Every expectation's `meta` names its rule, its column and its severity (reject the file,
quarantine the row, or warn): the one place severities live. Which expectations a contract gets
is each rule kind's business (thanrak.contract.rules).
"""

from __future__ import annotations

import json
import logging
from functools import cache

from thanrak.contract.declarations import Contract, load_contract
from thanrak.contract.rules import COLUMN_CHECKS, DUPLICATE_KEYS, declared_kind
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
    """The expectation suite of a dataset, derived from its contract alone: each column's checks,
    then the declared rules across columns, then the key (thanrak.contract.rules)."""
    import great_expectations as gx

    gx_context()  # GX builds suites only inside a context
    suite = gx.ExpectationSuite(name=suite_name(contract))
    expectations = [
        e
        for column in contract.columns
        for kind in COLUMN_CHECKS
        for e in kind.expectations(contract, column)
    ]
    expectations += [e for rule in contract.rules for e in declared_kind(rule).expectations(rule)]
    expectations += DUPLICATE_KEYS.key_expectations(contract)
    for expectation in expectations:
        suite.add_expectation(expectation)
    return suite
