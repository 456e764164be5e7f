"""The submission contract is the one source of truth: everything else must agree with it."""

import re

import pytest

from thanrak.contract.declarations import DATASETS, code_lists, load_contract
from thanrak.contract.messages import MESSAGES
from thanrak.publish import (
    BMN_SEEDS,
    CODE_LISTS_SEED,
    COLUMNS_SEED,
    CONTRACT_DOC,
    DATASETS_SEED,
    OBSERVE_WORDS_SEED,
    render_bmn_seeds,
    render_code_lists_seed,
    render_columns_seed,
    render_contract_docs,
    render_datasets_seed,
    render_observe_words_seed,
)
from thanrak.validate.suites import SUITES_DIR, build_suite, render_suite


def test_published_contract_document_is_generated_from_the_declarations():
    assert CONTRACT_DOC.read_text(encoding="utf-8") == render_contract_docs(), (
        "docs/submission-contract.md is out of date: run `thanrak publish-contract`"
    )


def test_the_dbt_seeds_are_generated_from_the_contract():
    assert DATASETS_SEED.read_text(encoding="utf-8") == render_datasets_seed()
    assert CODE_LISTS_SEED.read_text(encoding="utf-8") == render_code_lists_seed()
    assert COLUMNS_SEED.read_text(encoding="utf-8") == render_columns_seed()
    assert OBSERVE_WORDS_SEED.read_text(encoding="utf-8") == render_observe_words_seed()
    for name, text in render_bmn_seeds().items():
        assert BMN_SEEDS[name].read_text(encoding="utf-8") == text, (
            f"{name}.csv: run `thanrak publish-contract`"
        )


@pytest.mark.parametrize("dataset", DATASETS)
def test_versioned_expectation_suites_are_derived_from_the_contract(dataset):
    assert (SUITES_DIR / f"{dataset}.json").read_text(encoding="utf-8") == render_suite(dataset), (
        f"expectations/{dataset}.json is out of date: run `thanrak publish-contract`"
    )


@pytest.mark.parametrize("dataset", DATASETS)
def test_contract_is_consistent(dataset):
    contract = load_contract(dataset)
    names = contract.column_names
    assert len(names) == len(set(names))
    assert set(contract.key) <= set(names)
    assert contract.date_column is None or contract.date_column in names
    for column in contract.columns:
        assert column.th and column.en, column.name
        if column.type in ("code", "code_set"):
            assert column.code_list in code_lists(), column.name
    for rule in contract.rules:
        assert set(rule.columns) <= set(names)
        assert rule.message_th and rule.message_en


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_accepted_header_spelling_points_to_one_column(dataset):
    contract = load_contract(dataset)
    seen: dict[str, str] = {}
    for column in contract.columns:
        for header in column.headers:
            from thanrak.thai.text import normalise_header

            key = normalise_header(header)
            assert seen.setdefault(key, column.name) == column.name, f"'{header}' means two columns"


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_rule_of_the_suite_has_a_bilingual_message(dataset):
    contract = load_contract(dataset)
    rule_names = {r.name for r in contract.rules}
    for expectation in build_suite(contract).expectations:
        rule = expectation.meta["rule"]
        assert rule in MESSAGES or rule in rule_names, rule
        assert expectation.meta["severity"] in ("reject_file", "quarantine_row", "warn")


def test_the_glossary_has_every_thai_label_of_the_contract():
    glossary = (CONTRACT_DOC.parent / "glossary.md").read_text(encoding="utf-8")
    labels = {e.th for entries in code_lists().values() for e in entries}
    labels |= {load_contract(d).title_th for d in DATASETS}
    missing = sorted(label for label in labels if label not in glossary)
    assert not missing, f"docs/glossary.md lacks: {missing}"


def test_every_code_list_of_contract_v2_has_thai_labels_and_other_spellings():
    def lists_of(datasets):
        return {c.code_list for d in datasets for c in load_contract(d).columns if c.code_list}

    v1 = [d for d in DATASETS if load_contract(d).version == 1]
    v2 = [d for d in DATASETS if load_contract(d).version == 2]
    new = lists_of(v2) - lists_of(v1)
    assert {"smart_dimension", "pracharath_body", "knn_activity", "otop_segment"} <= new
    thai = re.compile("[\u0e00-\u0e7f]")
    for name in new:
        for entry in code_lists()[name]:
            assert thai.search(entry.th), (name, entry.code)
            assert entry.aliases, (name, entry.code)  # the spellings an office may write instead
