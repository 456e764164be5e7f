"""The submission contract: the one machine-readable declaration of what a province sends.

The parser, the expectation suites, the data generator, the raw tables and the published
contract document all derive from the YAML files in `contracts/` at the project root.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

import yaml

from thanrak.settings import CONTRACTS_DIR
from thanrak.thai.text import normalise_header

SEVERITIES = ("reject_file", "quarantine_row", "warn")
# monthly: a file for every period; when_held: a file only for a period in which something took
# place (a selection round's results), so no period is ever missing
SCHEDULES = ("monthly", "when_held")


@dataclass(frozen=True)
class Code:
    code: str
    th: str
    en: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # text | integer | decimal | date | month | flag | code | code_set | area_code
    th: str
    en: str
    required: bool = True
    aliases: tuple[str, ...] = ()
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    code_list: str | None = None
    level: str | None = (
        None  # for area codes: tambon | village | amphoe | unit (district or provincial office)
    )
    note: str | None = None
    typical: tuple[float, float] | None = None  # the usual range, for the data generator

    @property
    def postgres_type(self) -> str:
        """The column's type in raw.<dataset>."""
        if self.type == "area_code":
            return _AREA_CODE_TYPES[self.level]
        return _POSTGRES_TYPES[self.type]

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header under which a province may send this column."""
        return (self.name, self.th, self.en, *self.aliases)


_POSTGRES_TYPES = {
    "text": "text",
    "integer": "integer",
    "decimal": "numeric(16, 2)",
    "date": "date",
    "month": "date",
    "flag": "boolean",
    "code": "text",
    "code_set": "text[]",
}
_AREA_CODE_TYPES = {"tambon": "char(6)", "village": "char(8)", "amphoe": "char(4)", "unit": "varchar(4)"}


@dataclass(frozen=True)
class Rule:
    """A rule across columns, by name, with its own words; `kind` is one of the declared rule
    kinds of thanrak.contract.rules (column-level checks come from the column declaration)."""

    name: str
    kind: str
    column: str
    message_th: str
    message_en: str
    than: str | None = None
    total: str | None = None
    members: str | None = None
    tolerance: float = 0.0
    year: str | None = None  # the survey-year column a tool rule reads
    items: str | None = None  # the name prefix of the item columns a tool rule counts
    when_column: str | None = None  # a range that holds only for one code of this column
    when_code: str | None = None
    min: float | None = None
    max: float | None = None
    severity: str = "quarantine_row"

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the rule compares, shown in a failing row's reason."""
        named = (self.column, self.than, self.total, self.members, self.year, self.when_column)
        return tuple(c for c in named if c)


@dataclass(frozen=True)
class Contract:
    dataset: str
    version: int
    title_th: str
    title_en: str
    period: str
    key: tuple[str, ...]
    date_column: str | None
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    pii_column: str | None = None  # a column that must hold a hash, never personal data in clear
    # The delivery schedule: a period's file is due by this day of the month after the period
    # (a parameter: CDD's own deadline per programme is not published; 10 is the working
    # assumption of docs/glossary.md).
    due_day: int = 10
    schedule: str = "monthly"
    # the main amounts whose file total thanrak.observe compares with the province's history
    observed_sums: tuple[str, ...] = ()
    # fiscal_year: the rows are a standing since 1 October (budget lines), so a month is compared
    # only with the same fiscal year's months or earlier years' same month
    observed_resets: str | None = None

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def header_map(self) -> dict[str, str]:
        """Normalised header -> column name, over every accepted spelling."""
        return {normalise_header(h): c.name for c in self.columns for h in c.headers}


@cache
def code_lists() -> dict[str, tuple[Code, ...]]:
    raw = yaml.safe_load(_contract_text("code_lists.yaml"))
    lists = {}
    for name, entries in raw.items():
        for entry in entries:  # an unquoted comma in a flow mapping makes a stray key
            if set(entry) - _CODE_KEYS:
                raise ValueError(
                    f"code_lists.yaml: {name} {entry.get('code')}: unknown keys {set(entry) - _CODE_KEYS}"
                )
        lists[name] = tuple(
            Code(str(e["code"]), e["th"], e["en"], tuple(str(a) for a in e.get("aliases", ())))
            for e in entries
        )
    for name in lists:
        _spellings(lists[name], name)
    return lists


_CODE_KEYS = {"code", "th", "en", "aliases"}


@cache
def code_lookup(code_list: str) -> MappingProxyType:
    """Every accepted spelling (code, Thai, English, alias), normalised -> the code. Read-only and
    made once: extract looks a code list up for every code column of every file."""
    return MappingProxyType(_spellings(code_lists()[code_list], code_list))


def _spellings(entries: tuple[Code, ...], code_list: str) -> dict[str, str]:
    """Normalised spelling -> code; a spelling that would mean two codes is an error."""
    lookup: dict[str, str] = {}
    for entry in entries:
        for spelling in (entry.code, entry.th, entry.en, *entry.aliases):
            key = normalise_header(spelling)
            if lookup.setdefault(key, entry.code) != entry.code:
                raise ValueError(
                    f"code list {code_list}: {spelling!r} means both {lookup[key]} and {entry.code}"
                )
    return lookup


def _contract_text(name: str) -> str:
    return (CONTRACTS_DIR / name).read_text(encoding="utf-8")


def _contract_index() -> dict:
    return yaml.safe_load(_contract_text("contract.yaml"))


# The contract's version and its datasets (contracts/contract.yaml).
CONTRACT_VERSION: int = int(_contract_index()["version"])
DATASETS: tuple[str, ...] = tuple(_contract_index()["datasets"])


@cache
def load_contract(dataset: str) -> Contract:
    if dataset not in DATASETS:
        raise KeyError(f"unknown dataset {dataset!r}; known: {', '.join(DATASETS)}")
    raw = yaml.safe_load(_contract_text(f"{dataset}.yaml"))
    columns = tuple(
        Column(
            **{
                **c,
                "aliases": tuple(str(a) for a in c.get("aliases", ())),
                "typical": tuple(c["typical"]) if "typical" in c else None,
            }
        )
        for c in raw["columns"]
    )
    rules = tuple(Rule(**r) for r in raw.get("rules", ()))
    if raw.get("schedule", "monthly") not in SCHEDULES:
        raise ValueError(f"{dataset}: unknown schedule {raw['schedule']!r}; known: {', '.join(SCHEDULES)}")
    observed_sums = tuple(raw.get("observe", {}).get("sums", ()))
    observed_resets = raw.get("observe", {}).get("resets")
    if observed_resets not in (None, "fiscal_year"):
        raise ValueError(f"{dataset}: observe.resets must be fiscal_year, not {observed_resets!r}")
    for name in observed_sums:
        if name not in {c.name for c in columns if c.type in ("integer", "decimal")}:
            raise ValueError(f"{dataset}: observe.sums names {name!r}, not a number column")
    for rule in rules:
        if rule.severity not in SEVERITIES:
            raise ValueError(f"{dataset}: rule {rule.name} has unknown severity {rule.severity}")
    return Contract(
        dataset=raw["dataset"],
        version=int(raw["version"]),
        title_th=raw["title_th"],
        title_en=raw["title_en"],
        period=raw["period"],
        key=tuple(raw["key"]),
        date_column=raw.get("date_column"),
        columns=columns,
        rules=rules,
        pii_column=raw.get("pii_column"),
        due_day=int(raw.get("due_day", 10)),
        schedule=raw.get("schedule", "monthly"),
        observed_sums=observed_sums,
        observed_resets=observed_resets,
    )
