"""Great Expectations Data Docs for a night: readable for a planner or a provincial officer, and
made to work offline.

GX renders the pages: per dataset the suite, and the validation of one file (the night's worst).
Validation runs the published suite on the frame as `validate` prepares it, helper columns and
all; what GX is then given to render is a shown copy of the suite and of the result, made
readable (the data are never changed):

- Names. Each file is a data asset named after its province, its dataset's Thai title and the
  file, and the run is GX's RunIdentifier named after the night and the Airflow run
  (`thanrak 2026-11-22 manual__2026-11-22T10-00-00+00-00`), not `__none__`. GX's validation
  page reads the asset's name from the batch spec, which a dataframe batch has not (the index
  reads the batch definition's): the shown result carries it there too.
- The officer's columns only. Validation derives helper columns (whether a row breaks a rule
  across columns, a per-member gap, whether a text is a citizen ID): their expectations are
  shown under the officer's column, in words, with the officer's values of the failing rows. So
  are the expectations whose values are parameters (the province's area codes, the file's
  month, the day it was delivered): 300 tambon codes twice per column, or `$PARAMETER` on the
  suite's page, say less than "tambon codes of นครราชสีมา (30)".
- Numbers as people write them: floats to at most 6 decimals, percentages to 2, whole numbers
  without ".0"; a pair of values with their columns' names; dates without a time of day; the
  values of the household-hash column and of a citizen ID never (`***`).

GX also loads Bootstrap, jQuery, Vega and Font Awesome from CDNs; on a provincial office's
machine, or any with no internet, the pages come out unstyled and without charts. The vendored
copies in `data_docs_assets/` are copied beside the pages and every CDN link is rewritten to them.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import math
import os
import re
import shutil
from collections import Counter
from importlib.resources import as_file, files
from pathlib import Path

import pandas as pd

from thanrak.contract.declarations import Contract, Rule, code_lists
from thanrak.contract.rules import (
    AFTER_DELIVERY,
    BAD_AREA_CODE,
    CITIZEN_ID_IN_TEXT,
    HIDDEN,
    NOT_IN_CODE_LIST,
    OUT_OF_RANGE,
    OUTSIDE_PERIOD,
    PII_IN_CLEAR_RULE,
    WRONG_PERIOD_FOLDER,
    WRONG_PROVINCE_FOLDER,
)
from thanrak.extract.frame import SOURCE_ROW
from thanrak.validate.suites import gx_context, suite_definition
from thanrak.validate.validation import ProvinceAreas, prepare

# CDN address (as GX's templates write it) -> vendored file
VENDORED = {
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": "bootstrap-prefers-dark-1.1.0.css",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed-6.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite-5.min.js",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega-5.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": "bootstrap-datepicker-1.9.0.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": "bootstrap-datepicker-1.9.0.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "fontawesome/css/all.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper-1.12.9.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap-4.3.1.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap-4.3.1.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": "bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": "bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table-1.19.1.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table-1.19.1.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": "bootstrap-table-filter-control.min.js",
}  # fmt: skip
_LOGO = re.compile(r"<img[^>]*great-expectations-web-assets[^>]*>")
# Subresource-integrity and CORS attributes make a browser refuse the same files from file://.
_CDN_ATTRIBUTES = re.compile(r"""\s(?:integrity|crossorigin)=(?:"[^"]*"|'[^']*'|[^\s>]+)""")
# Anything still loaded from the network (not mere links to read elsewhere).
_REMOTE_RESOURCE = re.compile(r"""<(?:script|link|img)\b[^>]*(?:src|href)=["']https?://""")

DATA_SOURCE = "thanrak"  # a batch's id in the pages is "<data source>-<asset>"
DECIMALS = 6  # a float shows at most this many decimals
PERCENT_DECIMALS = 2
# GX makes an asset's name part of a file name (at most 255 bytes, with "thanrak-" and ".html").
_NAME_BYTES = 230
# What the result keeps that no page shows, or that names validation's own columns.
_UNSHOWN = ("partial_unexpected_index_list", "unexpected_index_list", "unexpected_index_column_names")


def build_data_docs(
    site_dir: Path,
    validations: list[tuple[str, Contract, pd.DataFrame, str, ProvinceAreas]],
    *,
    night: dt.date,
    run_id: str,
) -> Path:
    """Validates each (name, contract, extracted frame, period, areas) with GX itself, renders
    the Data Docs site of the night's run into `site_dir`, makes it offline, and returns its
    index page. `name` is the file's "<province> <file name>"."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    context = gx_context()  # one per process, shared with validate(engine="gx"): left as found
    run = RunIdentifier(run_name=run_name(night, run_id), run_time=dt.datetime.now(dt.UTC))
    site = run.run_name
    context.add_data_docs_site(
        site_name=site,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_how_to_buttons": False},
        },
    )
    shutil.rmtree(site_dir / "validations", ignore_errors=True)  # an earlier run's pages of the night
    store = context.validation_results_store
    contracts: dict[str, Contract] = {}
    suites: dict = {}
    definitions: list[str] = []
    results: list = []
    try:
        source = context.data_sources.add_pandas(DATA_SOURCE)
        for name, contract, frame, period, areas in validations:
            if contract.dataset not in contracts:
                contracts[contract.dataset] = contract
                suites[contract.dataset] = _replace_suite(
                    context, copy.deepcopy(suite_definition(contract.dataset))
                )
            asset = asset_name(name, contract, areas)
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(
                    name=asset,
                    data=source.add_dataframe_asset(asset).add_batch_definition_whole_dataframe("whole"),
                    suite=suites[contract.dataset],
                )
            )
            definitions.append(definition.name)
            data, parameters = prepare(frame, contract, period=period, areas=areas)
            before = set(store.list_keys())
            result = definition.run(
                batch_parameters={"dataframe": data},
                expectation_parameters=parameters,
                result_format={"result_format": "SUMMARY", "unexpected_index_column_names": [SOURCE_ROW]},
                run_id=run,
            )
            for key in set(store.list_keys()) - before:  # the page shows the shown copy
                store.set(key, shown_result(result, contract, data, areas))
                results.append(key)
        for contract in contracts.values():
            _replace_suite(context, shown_suite(contract))
        context.build_data_docs(site_names=[site])
    finally:
        _forget(context, results, definitions, contracts, site)
    make_offline(site_dir)
    return site_dir / "index.html"


def run_name(night: dt.date, run_id: str) -> str:
    """The run's name in the pages: the night and the Airflow run, as a folder name that every
    file system takes (GX makes it one; Windows refuses ':')."""
    safe = re.sub(r"[^\w.+-]", "-", run_id)
    return f"thanrak {night.isoformat()} {safe}"


def asset_name(name: str, contract: Contract, areas: ProvinceAreas) -> str:
    """A file's name in the pages: its province, its dataset's Thai title, "<province> <file>"."""
    import geothai

    province = geothai.province(areas.province_code)
    shown = f"{province.name_th if province else areas.province_code} · {contract.title_th} · {name}"
    if len(shown.encode()) > _NAME_BYTES:
        shown = name
    return re.sub(r"[/\\]", "-", shown)  # part of a file name


def _replace_suite(context, definition: dict):
    """Puts a suite (a dict as in expectations/) in the context under its name."""
    import great_expectations as gx
    from great_expectations.exceptions import DataContextError

    with contextlib.suppress(DataContextError):
        context.suites.delete(definition["name"])
    return context.suites.add(gx.ExpectationSuite(**definition))


def _forget(context, results, definitions, contracts, site) -> None:
    """Leaves the shared context as it was: this run's results, definitions, data source, shown
    suites (the next build adds the published ones again) and site are removed."""
    store = context.validation_results_store
    steps = [
        *(lambda key=key: store.remove_key(key) for key in results),
        *(lambda name=name: context.validation_definitions.delete(name) for name in definitions),
        *(lambda c=c: context.suites.delete(suite_definition(c.dataset)["name"]) for c in contracts.values()),
        lambda: context.data_sources.delete(DATA_SOURCE),
        lambda: context.delete_data_docs_site(site),
    ]
    for step in steps:
        with contextlib.suppress(Exception):  # one missing piece must not keep the others
            step()


def shown_suite(contract: Contract) -> dict:
    """The published suite as its page shows it (see the module's docstring)."""
    definition = copy.deepcopy(suite_definition(contract.dataset))
    for expectation in definition["expectations"]:
        kwargs, words = shown_expectation(contract, expectation["kwargs"], expectation["meta"])
        expectation["kwargs"] = kwargs
        if words:
            expectation["description"] = words
    return definition


def shown_result(result, contract: Contract, data: pd.DataFrame, areas: ProvinceAreas):
    """A validation result as its page shows it (see the module's docstring); `data` is the
    frame validated, for the officer's values of rows that broke a rule on a helper column."""
    shown = copy.deepcopy(result)
    for item in shown.results:
        config = item.expectation_config
        kwargs, meta = dict(config.kwargs), dict(config.meta)
        item.result = _shown_values(item.result or {}, contract, kwargs, meta, data)
        config.kwargs, words = shown_expectation(contract, kwargs, meta, areas)
        if words:
            config.description = words
    statistics = shown.statistics
    if isinstance(statistics.get("success_percent"), float):
        statistics["success_percent"] = round(statistics["success_percent"], PERCENT_DECIMALS)
    shown.meta["batch_spec"] = {**(shown.meta.get("batch_spec") or {}), "data_asset_name": shown.asset_name}
    return shown


def _helper(contract: Contract, kwargs: dict) -> bool:
    """Whether an expectation reads a column validation derives (the officer never sent it)."""
    column = kwargs.get("column")
    return column is not None and column not in contract.column_names


def shown_expectation(
    contract: Contract, kwargs: dict, meta: dict, areas: ProvinceAreas | None = None
) -> tuple[dict, str | None]:
    """An expectation's arguments as shown, and its words when GX's own would show a helper
    column or a parameter (`areas`: the file's, on a result's page; None on the suite's)."""
    if _helper(contract, kwargs):
        words = _helper_words(contract, meta)
        if meta.get("column") in contract.column_names:
            kwargs = {**kwargs, "column": meta["column"]}
    else:
        words = _parameter_words(contract, kwargs, meta, areas)
    if words and meta.get("severity") == "reject_file":
        words += "; else the whole file is rejected"
    shown = {key: value if key == "mostly" else _value(value) for key, value in kwargs.items()}
    return shown, words


def _rule(contract: Contract, meta: dict) -> Rule | None:
    return next((r for r in contract.rules if r.name == meta.get("rule")), None)


def _helper_words(contract: Contract, meta: dict) -> str:
    rule = _rule(contract, meta)
    if rule is None:
        if meta.get("rule") == CITIZEN_ID_IN_TEXT.name:
            return "values must not be 13-digit citizen IDs (PDPA)"
        return f"values must keep rule {meta.get('rule')}"
    words = _RULE_WORDS.get(rule.kind)
    said = words(rule) if words else f"rows must keep the rule on {', '.join(rule.columns)}"
    return f"{said} (rule {rule.name})"


def _range_words(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"between {_number_words(low)} and {_number_words(high)}"
    return f"at least {_number_words(low)}" if low is not None else f"at most {_number_words(high)}"


def _number_words(value) -> str:
    """A bound in words: 1,000,000,000 (a year stays 2560)."""
    value = _value(value)
    if isinstance(value, int) and not 1000 <= value <= 9999:
        return f"{value:,}"
    return str(value)


# Rules across columns whose expectation reads a helper column, in words (by declared kind).
_RULE_WORDS = {
    "range_when": lambda r: (
        f"where {r.when_column} is {r.when_code}, values must be {_range_words(r.min, r.max)}"
    ),
    "per_member": lambda r: (
        f"values must be {r.total} divided by {r.members}, give or take {_number_words(r.tolerance)}"
    ),
    "blank_unless": lambda r: f"values must be blank unless {r.when_column} is {r.when_code}",
    "tool_of_year": lambda r: f"values must be the BMN tool of the row's {r.year}",
    "items_of_tool": lambda r: (
        f"the {r.items}NN items answered must be exactly the items of the row's {r.column}"
    ),
}
# An area column's codes, by level.
_AREA_WORDS = {
    "tambon": "tambon codes of {where}",
    "village": "village codes of {where} (a tambon code and a village number)",
    "amphoe": "amphoe codes of {where}",
    "unit": "codes of a district office or the provincial office of {where}",
}


def _parameter_words(contract: Contract, kwargs: dict, meta: dict, areas: ProvinceAreas | None) -> str | None:
    """Words for an expectation whose values are parameters, a pattern nobody reads, or a range
    GX would write with float zeros."""
    rule = meta.get("rule")
    column = contract.column(meta["column"]) if meta.get("column") in contract.column_names else None
    if rule in (BAD_AREA_CODE.name, WRONG_PROVINCE_FOLDER.name) and column and column.level in _AREA_WORDS:
        words = "values must be " + _AREA_WORDS[column.level].format(where=_province_words(areas))
    elif rule in (OUTSIDE_PERIOD.name, WRONG_PERIOD_FOLDER.name):
        words = "values must be dates in the month of the file's folder" + _dates(
            kwargs.get("min_value"), kwargs.get("max_value")
        )
    elif rule == AFTER_DELIVERY.name:
        words = "values must not be after the day the file was delivered" + _dates(kwargs.get("max_value"))
    elif rule == OUT_OF_RANGE.name and column:  # GX's words would say "0.0 and 100000000.0"
        unit = f" {column.unit}" if column.unit else ""
        words = f"values must be {_range_words(kwargs.get('min_value'), kwargs.get('max_value'))}{unit}"
    elif rule == PII_IN_CLEAR_RULE.name:
        words = "values must not be citizen IDs or house IDs in clear (PDPA: the hash only)"
    elif rule == NOT_IN_CODE_LIST.name and column and column.type == "code_set":
        codes = ", ".join(c.code for c in code_lists()[column.code_list])
        words = f"values must be one or more of {codes}, separated by ';'"
    else:
        return None
    if kwargs.get("mostly"):
        words += f", at least {_value(kwargs['mostly'] * 100)} % of the time"
    return words


def _province_words(areas: ProvinceAreas | None) -> str:
    if areas is None:
        return "the province of the file's folder"
    import geothai

    province = geothai.province(areas.province_code)
    return f"{province.name_th} ({areas.province_code})" if province else areas.province_code


def _dates(*values) -> str:
    """' (2026-11-01 to 2026-11-30)' once the parameters are filled in; '' on the suite's page."""
    if not values or any(v is None or isinstance(v, dict) for v in values):
        return ""
    return " (" + " to ".join(str(_value(v)) for v in values) + ")"


def _shown_values(result: dict, contract: Contract, kwargs: dict, meta: dict, data: pd.DataFrame) -> dict:
    """A result's numbers and values as the page shows them."""
    shown = {key: value for key, value in result.items() if key not in _UNSHOWN}
    for key, value in shown.items():
        if "percent" in key and isinstance(value, float):
            shown[key] = round(value, PERCENT_DECIMALS)
    if "observed_value" in shown:
        shown["observed_value"] = _value(shown["observed_value"])
    if "partial_unexpected_list" not in result and "partial_unexpected_counts" not in result:
        return shown
    if meta.get("column") == contract.pii_column or meta.get("rule") == CITIZEN_ID_IN_TEXT.name:
        values = [HIDDEN] * len(result.get("partial_unexpected_list") or ())  # never echoed
        counts = Counter(dict.fromkeys(values, result.get("unexpected_count", len(values))))
    elif _helper(contract, kwargs):  # the officer's values of the failing rows, not the helper's
        rows = [entry[SOURCE_ROW] for entry in result.get("partial_unexpected_index_list") or ()]
        values = _row_values(data, rows, _compared(contract, meta), _rule(contract, meta))
        counts = Counter(values)
    else:
        values = [_pair(v, kwargs) for v in result.get("partial_unexpected_list") or ()]
        counts = Counter()
        for entry in result.get("partial_unexpected_counts") or ():
            counts[_pair(entry["value"], kwargs)] += entry["count"]
    if "partial_unexpected_list" in result:
        shown["partial_unexpected_list"] = values
    if "partial_unexpected_counts" in result:
        shown["partial_unexpected_counts"] = [{"value": v, "count": n} for v, n in counts.most_common()]
    return shown


def _compared(contract: Contract, meta: dict) -> tuple[str, ...]:
    rule = _rule(contract, meta)
    return rule.columns if rule else (meta["column"],)


def _row_values(data: pd.DataFrame, rows: list, columns: tuple[str, ...], rule: Rule | None) -> list[str]:
    """Each failing row's values of the columns its rule compares (and how many of a rule's
    numbered items it filled)."""
    positions = pd.Index(data[SOURCE_ROW]).get_indexer(rows)
    items = [
        n for n in data.columns if rule and rule.items and re.fullmatch(re.escape(rule.items) + r"\d+", n)
    ]
    shown = []
    for at in positions[positions >= 0]:
        values = [f"{name} {_text(_value(data[name].iloc[at]))}" for name in columns if name in data]
        if items:
            values.append(f"{rule.items}NN filled {int(data[items].iloc[at].notna().sum())}")
        shown.append(" · ".join(values))
    return shown


def _pair(value, kwargs: dict):
    """A failing pair or set of values (a rule across columns, a key) with its columns' names."""
    if isinstance(value, dict):
        return " · ".join(f"{name} {_text(_value(v))}" for name, v in value.items())
    if isinstance(value, list | tuple):
        names = kwargs.get("column_list") or [kwargs.get("column_A"), kwargs.get("column_B")]
        return " · ".join(f"{name} {_text(_value(v))}" for name, v in zip(names, value, strict=False))
    return _value(value)


def _text(value) -> str:
    return "(empty)" if value is None else str(value)


def _value(value):
    """A value as people write it: floats to DECIMALS places and whole ones without ".0", dates
    without a time of day at midnight, missing as None (GX shows "null")."""
    if value is None or isinstance(value, bool | str | dict | list | tuple):
        return value
    if pd.isna(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isfinite(value):
        rounded = round(value, DECIMALS)
        return int(rounded) if rounded.is_integer() and abs(rounded) < 1e15 else rounded
    return value


def make_offline(site_dir: Path) -> None:
    """Copies the vendored assets into the site and points every page at them."""
    vendor = site_dir / "static" / "vendor"
    with as_file(files("thanrak.validate").joinpath("data_docs_assets")) as assets:
        shutil.copytree(assets, vendor, dirs_exist_ok=True, ignore=shutil.ignore_patterns("README.md"))
    for page in site_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        relative = Path(os.path.relpath(vendor, page.parent)).as_posix()
        for url, local in VENDORED.items():
            text = text.replace(f'"{url}"', f'"{relative}/{local}"')
        text = _CDN_ATTRIBUTES.sub("", _LOGO.sub("<b>Thanrak Data Docs</b>", text))
        page.write_text(text, encoding="utf-8")


def remote_resources(site_dir: Path) -> list[str]:
    """Pages that would still load something from the network (empty when all is offline)."""
    return [
        str(page)
        for page in site_dir.rglob("*.html")
        if _REMOTE_RESOURCE.search(page.read_text(encoding="utf-8"))
    ]
