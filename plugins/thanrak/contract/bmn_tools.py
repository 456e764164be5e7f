"""The จปฐ. survey tools (contracts/bmn_tools.yaml): which tool each survey year uses, the items
it asks, their หมวด, and the income threshold of each survey year. The rules that tie a survey
row to its year's tool, the published seeds and the glossary read them here."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import yaml

from thanrak.contract.declarations import code_lists
from thanrak.settings import CONTRACTS_DIR


@dataclass(frozen=True)
class BmnCategory:
    number: int
    th: str
    en: str
    first_item: int
    last_item: int
    verified: bool


@dataclass(frozen=True)
class BmnTool:
    code: str  # of the code list indicator_set
    first_year: int  # BE survey years the tool covers
    last_year: int
    years_verified: bool
    source: str
    categories: tuple[BmnCategory, ...]
    items: dict[int, str]  # item number -> Thai name
    names_verified: bool

    @property
    def item_count(self) -> int:
        return len(self.items)

    @property
    def survey_years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    def category_of(self, item: int) -> BmnCategory:
        return next(c for c in self.categories if c.first_item <= item <= c.last_item)


@dataclass(frozen=True)
class IncomeThreshold:
    first_year: int
    last_year: int
    baht: int
    verified: bool
    source: str


@cache
def bmn_tools() -> tuple[BmnTool, ...]:
    raw = _reference()
    tools = tuple(
        BmnTool(
            code=str(t["code"]),
            first_year=t["survey_years"][0],
            last_year=t["survey_years"][1],
            years_verified=bool(t["years_verified"]),
            source=t["source"],
            categories=tuple(
                BmnCategory(c["number"], c["th"], c["en"], c["items"][0], c["items"][1], bool(c["verified"]))
                for c in t["categories"]
            ),
            items={int(number): name for number, name in t["items"].items()},
            names_verified=bool(t["names_verified"]),
        )
        for t in raw["tools"]
    )
    _check(tools)
    return tools


@cache
def income_thresholds() -> tuple[IncomeThreshold, ...]:
    return tuple(
        IncomeThreshold(
            t["survey_years"][0], t["survey_years"][1], t["baht"], bool(t["verified"]), t["source"]
        )
        for t in _reference()["income_thresholds"]
    )


def tool_for_year(survey_year: int) -> BmnTool | None:
    """The tool a survey year uses (None: a year no tool covers)."""
    return next((t for t in bmn_tools() if survey_year in t.survey_years), None)


def tool(code: str) -> BmnTool:
    return next(t for t in bmn_tools() if t.code == code)


def _check(tools: tuple[BmnTool, ...]) -> None:
    """The reference must be whole: tools of the code list, items 1..N each in one category,
    and no survey year in two tools."""
    codes = {c.code for c in code_lists()["indicator_set"]}
    years: set[int] = set()
    for found in tools:
        if found.code not in codes:
            raise ValueError(f"bmn_tools.yaml: tool {found.code} is not in the code list indicator_set")
        if sorted(found.items) != list(range(1, found.item_count + 1)):
            raise ValueError(f"bmn_tools.yaml: tool {found.code} items are not numbered 1..N")
        covered = [i for c in found.categories for i in range(c.first_item, c.last_item + 1)]
        if sorted(covered) != sorted(found.items):
            raise ValueError(f"bmn_tools.yaml: tool {found.code} categories do not cover each item once")
        if years & set(found.survey_years):
            raise ValueError(f"bmn_tools.yaml: tool {found.code} shares survey years with another tool")
        years |= set(found.survey_years)


@cache
def _reference() -> dict:
    return yaml.safe_load((CONTRACTS_DIR / "bmn_tools.yaml").read_text(encoding="utf-8"))
