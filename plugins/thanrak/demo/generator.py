"""Realistic, seeded submissions: what 76 provincial offices deliver in a night.

Files are written in the shapes provinces really use (CSV in UTF-8, UTF-8 with BOM or cp874;
XLSX with banner rows, Thai sheet names, merged cells, blank and "รวม" rows; Thai or English
headers with small spelling variants; BE or CE and text dates; Thai digits; thousands
separators; stray and zero-width spaces). Defects are injected at a chosen rate, every kind the
parser and the suites must catch, and each is recorded with the rule expected to catch it.

Everything derives from the submission contracts: a column's type, code list, range and
typical range decide what the generator writes, and clean rows keep every cross-field rule the
contract declares (KEEP, one entry per rule kind; BREAK spoils one for the defects).

Rows follow real entities over time (thanrak.demo.entities): the registries of Khok Nong Na
plots, OTOP producers with their products and channels, budget projects with their units, and
surveyed households derive from the seed and the province, not from the night. A month's file
reports the entities active in that month; a later night of the same month sends the same
entities again, a new revision of that month's file.

Budget rows are a project line's standing as of the month, not the month's flow: the fiscal
year's allocation, and what was committed, disbursed and returned since 1 October, growing
month by month to September. That is what the marts assume: the scorecard's disbursement rate
takes each project and unit at its latest month up to the quarter's end, against cumulative
milestones, so a month's row must carry everything so far (flows would be undercounted).

Anomalies. A clean file can also be made unusual for its province, so that the observability
checks (thanrak.observe, docs/data-quality.md "Unusual deliveries") have something to find and
tests can prove each is found: about half the usual rows, three times the rows of an event
dataset, a main amount (the contract's observe.sums) four times as large, an optional column
mostly left blank, a code column mostly set to a code that is usually rare. Each is recorded
(`GeneratedNight.anomalies`) with the check and direction that should flag it. An anomalous file
stays clean: keys unique, values within their bounds and every cross-field rule kept, so
validation rejects or quarantines nothing it did not record as a defect. Each file draws from a
random stream of its own: an anomalous file is the same night's clean file changed as recorded,
and no other file changes with it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import geothai

from thanrak.contract.bmn_tools import tool, tool_for_year
from thanrak.contract.declarations import DATASETS, Column, Contract, Rule, code_lists, load_contract
from thanrak.demo.entities import (
    MEAN_ROWS,
    PROJECT_NAMES,
    REPORTED,
    allowed_range,
    amphoes,
    cdd_provinces,
    code_of,
    household,
    province_size,
    reported,
    tambons,
    units,
)
from thanrak.nights import BANGKOK_TZ
from thanrak.thai.dates import BE_OFFSET, MONTHS_TH_ABBR
from thanrak.thai.text import THAI_DIGITS

TO_THAI_DIGITS = {v: k for k, v in THAI_DIGITS.items()}
ITEM_PASS_RATE = 0.9  # share of a household's answered BMN items that pass
ROW_DEFECTS = (
    "not_null", "not_in_code_list", "out_of_range", "not_a_number", "not_a_whole_number", "not_a_date",
    "not_a_month", "not_a_flag", "bad_area_code", "outside_period", "bad_format", "cross_field_rule",
)  # fmt: skip
FILE_DEFECTS = (
    "corrupt_file", "empty_file", "missing_columns", "unreadable_format", "unreadable_encoding",
    "duplicate_keys", "wrong_province_folder", "wrong_period_folder", "unknown_dataset", "unknown_province",
    "pii_in_clear",
)  # fmt: skip
# Sigma of the month-to-month noise on an event dataset's rows: an office's volume is steady
# (about ±8 %), well inside what the observability checks allow a month (±10 % at the least).
MONTH_NOISE = 0.08
# Each kind of anomaly, in the order they take turns, with the check that should flag it (its
# column filled in) and the direction the check reports.
ANOMALY_CHECKS = {
    "halved_volume": ("rows", "lower"),
    "volume_spike": ("rows", "higher"),
    "amount_spike": ("sum:{column}", "higher"),
    "null_jump": ("null_share:{column}", "higher"),
    "code_shift": ("code_shift:{column}", "shifted"),
}
ANOMALY_KINDS = tuple(ANOMALY_CHECKS)
# A file of fewer rows swings too much from month to month (a sum of two meetings' attendees)
# for one anomaly to stand out against its history
ANOMALY_MIN_ROWS = 20
VOLUME_SPIKE = 3  # rows of a spiked file against its usual volume
AMOUNT_SPIKE = 4  # far outside a month's usual spread, within every amount's declared bounds
NULL_JUMP = 0.6  # share of the rows left blank
USUALLY_FILLED = 0.5  # a column filled on more of the clean rows than this can jump to blank
CODE_SHIFT = 0.7  # share of the rows set to the shifted code
RARE_CODE = 0.25  # the most a code has of the clean rows to be shifted to


@dataclass
class Defect:
    path: str
    kind: str
    expected_rule: str
    source_row: int | None = None  # None: the whole file
    column: str | None = None


@dataclass
class InjectedAnomaly:
    """A clean file made unusual for its province, and what the observability checks should
    report for it."""

    path: str
    province: str
    dataset: str
    kind: str
    check: str  # rows, sum:<column>, null_share:<column> or code_shift:<column>
    direction: str  # higher, lower or shifted
    column: str | None = None
    code: str | None = None  # the code a code_shift set

    @classmethod
    def of(
        cls, path: str, province: str, dataset: str, kind: str, column: str | None, code: str | None
    ) -> InjectedAnomaly:
        check, direction = ANOMALY_CHECKS[kind]
        return cls(path, province, dataset, kind, check.format(column=column), direction, column, code)


@dataclass
class GeneratedNight:
    night: dt.date
    files: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    defects: list[Defect] = field(default_factory=list)
    anomalies: list[InjectedAnomaly] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "night": self.night.isoformat()}, ensure_ascii=False, indent=1)


def generate_night(
    landing_dir: Path,
    night: dt.date,
    *,
    seed: int = 2569,
    provinces: list[str] | None = None,
    datasets: tuple[str, ...] = DATASETS,
    scale: float = 1.0,
    defect_rate: float = 0.01,
    file_defects: int = 3,
    xlsx_share: float = 0.2,
    anomalies: int = 0,
) -> GeneratedNight:
    """Writes one night of deliveries: for each province and dataset, the file of the night's
    month. `file_defects` files are spoilt as a whole (kinds in turn); row defects hit about
    `defect_rate` of the rows of the other files. `anomalies` of the files not spoilt are made
    unusual for their province (ANOMALY_KINDS in turn), their rows still clean."""
    night_rng = random.Random(f"{seed}-{night.isoformat()}")
    provinces = provinces or cdd_provinces()
    result = GeneratedNight(night=night, rows=dict.fromkeys(datasets, 0))
    # a dataset sent only when something took place has no file where nothing did
    slots = [
        (p, d)
        for p in provinces
        for d in datasets
        if load_contract(d).schedule == "monthly" or reported(d, seed, p, night, scale)
    ]
    spoilt = _spoilt_slots(night_rng, slots, file_defects)
    # each file draws from a random stream of its own: an anomaly in one file changes no other
    streams = {slot: night_rng.getrandbits(64) for slot in slots}

    def clean_file(province: str, dataset: str) -> tuple[random.Random, Contract, list[dict]]:
        """The file's stream and its clean rows, the first thing drawn from it."""
        rng, contract = random.Random(streams[(province, dataset)]), load_contract(dataset)
        known = _reported(rng, seed, contract, province, night, scale)
        return rng, contract, _rows(rng, contract, province, night, known)

    def allows(slot: tuple[str, str], kind: str) -> bool:
        """Tried on the file's clean rows, drawn again from the same stream when it is written."""
        return _inject_anomaly(kind, *clean_file(*slot), slot[0], night) is not None

    candidates = [slot for slot in slots if slot not in spoilt]
    anomaly_rng = random.Random(f"{seed}-{night.isoformat()}-anomalies")
    unusual = _unusual_slots(anomaly_rng, candidates, anomalies, allows)
    delivered_at = dt.datetime.combine(night, dt.time(18, 0), BANGKOK_TZ)
    for province, dataset in slots:
        rng, contract, rows = clean_file(province, dataset)
        anomaly = None
        if (province, dataset) in unusual:
            unusual_kind = unusual[(province, dataset)]
            rows, column, code = _inject_anomaly(unusual_kind, rng, contract, rows, province, night)
            anomaly = (unusual_kind, column, code)
        shape = _FileShape.pick(rng, xlsx_allowed=len(rows) <= 5000 and rng.random() < xlsx_share)
        folder = (province, dataset, f"{night:%Y-%m}")
        kind = spoilt.get((province, dataset))
        row_defects: list[tuple[int, str, str, str]] = []
        if kind:
            folder, rows, shape = _spoil_file(rng, kind, contract, folder, rows, shape, night)
        else:
            row_defects = _inject_row_defects(rng, contract, rows, night, defect_rate)
        relative = "/".join(folder) + f"/{dataset}_{province}_{night:%Y%m%d}.{shape.extension}"
        path = landing_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        content, row_numbers = shape.render(contract, rows, rng, province, saved_at=delivered_at)
        if kind in ("corrupt_file", "unreadable_encoding"):
            content = _corrupt(rng, kind, content)
        if not (path.is_file() and path.stat().st_size == len(content) and path.read_bytes() == content):
            path.write_bytes(content)  # a night generated again leaves its identical files alone
        stamp = (delivered_at + dt.timedelta(minutes=rng.randint(0, 400))).timestamp()
        os.utime(path, (stamp, stamp))
        result.files.append(relative)
        if anomaly:
            result.anomalies.append(InjectedAnomaly.of(relative, province, dataset, *anomaly))
        if kind:
            result.defects.append(Defect(relative, kind, kind))
        else:
            result.rows[dataset] += len(rows)
            result.defects.extend(
                Defect(relative, defect, rule, source_row=row_numbers[index], column=column)
                for index, defect, rule, column in row_defects
            )
    return result


def _applies(kind: str, contract: Contract) -> bool:
    """Personal data in clear only where the contract has a hash; a wrong month only where
    rows carry a date; a wrong province only where rows carry an area code (the Pracharath
    bodies' meetings belong to the province of their folder: nothing in them says otherwise)."""
    if kind == "pii_in_clear":
        return contract.pii_column is not None
    if kind == "wrong_period_folder":
        return contract.date_column is not None
    if kind == "wrong_province_folder":
        return any(column.type == "area_code" for column in contract.columns)
    return True


def _spoilt_slots(rng: random.Random, slots: list[tuple[str, str]], count: int) -> dict[tuple[str, str], str]:
    """Which (province, dataset) files are spoilt as a whole, and how: the kinds in turn, each
    on a file it applies to."""
    kinds = list(FILE_DEFECTS)
    rng.shuffle(kinds)
    spoilt: dict[tuple[str, str], str] = {}
    for number in range(count):
        kind = kinds[number % len(kinds)]
        free = [s for s in slots if s not in spoilt and _applies(kind, load_contract(s[1]))]
        if free:
            spoilt[rng.choice(free)] = kind
    return spoilt


def _unusual_slots(
    rng: random.Random,
    slots: list[tuple[str, str]],
    count: int,
    allows: Callable[[tuple[str, str], str], bool],
) -> dict[tuple[str, str], str]:
    """Which files are made unusual, and how: ANOMALY_KINDS in turn (five anomalies show every
    kind), each on a file of a dataset it applies to whose clean rows allow it (`allows`: a
    column usually filled, a rare code), the files tried in a seeded order."""
    unusual: dict[tuple[str, str], str] = {}
    for number in range(count):
        kind = ANOMALY_KINDS[number % len(ANOMALY_KINDS)]
        free = [s for s in slots if s not in unusual and _anomaly_columns(kind, load_contract(s[1]))]
        rng.shuffle(free)
        found = next((s for s in free if allows(s, kind)), None)
        if found:
            unusual[found] = kind
    return unusual


def example_csv(contract: Contract, rows: int = 3) -> str:
    """A few clean rows with Thai headers and BE dates, for the published contract."""
    rng = random.Random(contract.dataset)
    shape = _FileShape("csv", "utf-8", True, False, True, False, False, False)
    night = dt.date(2026, 11, 22)
    if contract.schedule == "when_held":  # a month of 2026 in which province 30 had something to report
        months = (dt.date(2026, month, 22) for month in range(1, 13))
        night = next(day for day in months if reported(contract.dataset, 2569, "30", day, 1.0))
    known = _reported(rng, 2569, contract, "30", night, 1.0, count=rows)
    content, _ = shape.render(contract, _rows(rng, contract, "30", night, known), rng, "30")
    return content.decode().replace("\r\n", "\n").rstrip("\n")


# ---------------------------------------------------------------------------------------------
# Clean rows, from the contract


def _reported(
    rng: random.Random,
    seed: int,
    contract: Contract,
    province: str,
    night: dt.date,
    scale: float,
    count: int | None = None,
) -> list[dict]:
    """What each row of the file takes from the registries (thanrak.demo.entities): the
    entities active in the night's month; for events, as many as the province's size gives,
    with a little noise from month to month (or `count`). With `count`, at most that many rows."""
    known = reported(contract.dataset, seed, province, night, scale)
    if known is not None:
        return known[:count]
    if count is None:
        usual = MEAN_ROWS[contract.dataset] * scale * province_size(province)
        count = max(5, min(500_000, int(usual * rng.lognormvariate(0, MONTH_NOISE))))
    return _events(contract, province, night, range(count))


def _events(contract: Contract, province: str, night: dt.date, numbers: range) -> list[dict]:
    """What the registries give the night's events of these numbers: for survey visits, the
    households the survey follows from year to year; nothing for an activity."""
    if contract.pii_column:
        return [household(province, night, number) for number in numbers]
    return [{}] * len(numbers)


def _rows(
    rng: random.Random, contract: Contract, province: str, night: dt.date, known: list[dict], first: int = 0
) -> list[dict]:
    """Clean rows: the known fields of each, the other columns drawn from their declaration,
    then every cross-field rule of the contract kept. An event's own id counts from `first`."""
    makers = {c.name: _value_maker(rng, contract, c, province, night) for c in contract.columns}
    rows = []
    for index, fields in enumerate(known, first):
        row = {name: fields[name] if name in fields else make(index) for name, make in makers.items()}
        for rule in contract.rules:
            KEEP[rule.kind](rng, contract, rule, row)
        if contract.dataset == "activities":
            row["households_reached"] = min(row["households_reached"], row["participants"])
        rows.append(row)
    return rows


def _keep_not_greater_than(rng, contract: Contract, rule: Rule, row: dict) -> None:
    if row[rule.column] is not None and row[rule.than] is not None and row[rule.column] > row[rule.than]:
        kept = row[rule.than] * rng.uniform(0.0, 1.0)
        row[rule.column] = int(kept) if contract.column(rule.column).type == "integer" else round(kept, 2)


def _keep_per_member(rng, contract: Contract, rule: Rule, row: dict) -> None:
    if row[rule.total] is not None:
        row[rule.total] = round(row[rule.column] * row[rule.members], 2)


def _keep_range_when(rng, contract: Contract, rule: Rule, row: dict) -> None:
    low, high = allowed_range(contract, rule.column, row)
    if row[rule.column] is not None and not low <= row[rule.column] <= high:
        row[rule.column] = round(rng.uniform(low, high), 2)


def _keep_blank_unless(rng, contract: Contract, rule: Rule, row: dict) -> None:
    if code_of(row[rule.when_column]) != rule.when_code:
        row[rule.column] = None


def _keep_tool_of_year(rng, contract: Contract, rule: Rule, row: dict) -> None:
    found = tool_for_year(row[rule.year])
    if found is None:
        raise ValueError(
            f"no BMN tool covers survey year {row[rule.year]}: add it to contracts/bmn_tools.yaml "
            "before generating its households"
        )
    row[rule.column] = _code(contract, rule.column, found.code)


def _keep_items_of_tool(rng, contract: Contract, rule: Rule, row: dict) -> None:
    """Items 1..N of the row's tool answered (pass or fail), the item columns beyond left blank."""
    count = tool(code_of(row[rule.column])).item_count
    for number, name in _item_columns(contract, rule):
        row[name] = (rng.random() < ITEM_PASS_RATE) if number <= count else None


KEEP: dict[str, Callable[[random.Random, Contract, Rule, dict], None]] = {
    "not_greater_than": _keep_not_greater_than,
    "per_member": _keep_per_member,
    "range_when": _keep_range_when,
    "blank_unless": _keep_blank_unless,
    "tool_of_year": _keep_tool_of_year,
    "items_of_tool": _keep_items_of_tool,
}


def _item_columns(contract: Contract, rule: Rule) -> list[tuple[int, str]]:
    """(number, column) of the item columns a tool rule counts: those named `items` + number."""
    prefix = rule.items
    return [
        (int(c.name[len(prefix) :]), c.name)
        for c in contract.columns
        if c.name.startswith(prefix) and c.name[len(prefix) :].isdigit()
    ]


def _code(contract: Contract, name: str, code: str):
    return next(e for e in code_lists()[contract.column(name).code_list] if e.code == code)


def _value_maker(
    rng, contract: Contract, column: Column, province: str, night: dt.date
) -> Callable[[int], object]:
    first_day = night.replace(day=1)
    if column.name in contract.key and column.type == "text":  # an event's own id
        prefix = "".join(w[0] for w in column.name.split("_")).upper()
        return lambda i: f"{prefix}{province}{night:%y%m}-{i + 1:06d}"
    if column.type == "text":
        return lambda i: rng.choice(PROJECT_NAMES)
    if column.type == "area_code":
        places = tambons(province)
        if column.level == "village":
            return lambda i: f"{rng.choice(places)}{rng.randint(1, 20):02d}"
        if column.level == "unit":
            offices = units(province)
            return lambda i: rng.choice(offices)
        if column.level == "amphoe":
            districts = amphoes(province)
            return lambda i: rng.choice(districts)
        return lambda i: rng.choice(places)
    if column.type in ("date", "month"):
        days = (night - first_day).days
        return lambda i: first_day + dt.timedelta(days=rng.randint(0, days))
    if column.type == "code":
        entries = code_lists()[column.code_list]
        return lambda i: rng.choice(entries)
    if column.type == "code_set":
        entries = code_lists()[column.code_list]
        return lambda i: rng.sample(entries, rng.randint(1, 3))
    if column.type == "flag":
        return lambda i: None  # filled by the rule that says which items a row answers
    low, high = column.typical or (column.min or 0, column.max or 1000)
    if column.type == "integer":
        optional = not column.required
        return lambda i: None if optional and rng.random() < 0.2 else rng.randint(int(low), int(high))
    return lambda i: round(rng.uniform(low, high), 2)


# ---------------------------------------------------------------------------------------------
# Defects


def _inject_row_defects(
    rng: random.Random, contract: Contract, rows: list[dict], night: dt.date, rate: float
) -> list[tuple[int, str, str, str]]:
    """Spoils about `rate` of the rows, one field each. Returns (row index, kind, rule, column).
    A spoilt key column that would make the row's key another row's (two rows of one activity
    and group whose amphoe both became '9999') is left alone: that is a file of repeated keys,
    rejected as a whole, not the row defect the record says."""
    applicable = [kind for kind in ROW_DEFECTS if _defect_targets(contract, kind)]
    keys = Counter(_key(contract, row) for row in rows)
    spoilt = []
    for index, row in enumerate(rows):
        if rng.random() >= rate:
            continue
        kind = rng.choice(applicable)
        before = dict(row)
        column, value, rule = _spoil_value(rng, contract, kind, row, night)
        row[column] = value
        old_key, new_key = _key(contract, before), _key(contract, row)
        if new_key != old_key and keys[new_key]:
            row.clear()
            row.update(before)
            continue
        keys[old_key] -= 1
        keys[new_key] += 1
        spoilt.append((index, kind, rule, column))
    return spoilt


def _key(contract: Contract, row: dict) -> tuple[str, ...]:
    """The row's key as the pipeline will read it (a month column holds any day of its month)."""
    return tuple(
        f"{value:%Y-%m}"
        if contract.column(name).type == "month" and isinstance(value, dt.date)
        else str(value)
        for name in contract.key
        for value in [code_of(row.get(name))]
    )


def _defect_targets(contract: Contract, kind: str) -> list[Column]:
    columns = contract.columns
    wanted: dict[str, Callable[[Column], bool]] = {
        "not_null": lambda c: c.required and c.name not in contract.key,
        "not_in_code_list": lambda c: c.type == "code",
        "out_of_range": lambda c: c.type in ("integer", "decimal") and c.max is not None,
        "not_a_number": lambda c: c.type == "decimal",
        "not_a_whole_number": lambda c: c.type == "integer" and c.required,
        "not_a_date": lambda c: c.type == "date",
        "not_a_month": lambda c: c.type == "month",
        "not_a_flag": lambda c: c.type == "flag",
        "bad_area_code": lambda c: c.type == "area_code",
        "outside_period": lambda c: c.name == contract.date_column,
        "bad_format": lambda c: c.pattern is not None and c.name != contract.pii_column,
        "cross_field_rule": lambda c: any(r.column == c.name for r in contract.rules),
    }
    return [c for c in columns if wanted[kind](c)]


def _spoil_value(rng, contract: Contract, kind: str, row: dict, night: dt.date) -> tuple[str, object, str]:
    if kind == "cross_field_rule":
        return _break_a_rule(rng, contract, row)
    column = rng.choice(_defect_targets(contract, kind))
    name = column.name
    if kind == "not_null":
        return name, None, "not_null"
    if kind == "not_in_code_list":
        return name, _Literal(rng.choice(["อื่นๆ", "9", "n/a"])), kind
    if kind == "out_of_range":
        return name, _Literal(str(int(column.max * 10 + 7))), kind
    if kind == "not_a_number":
        return name, _Literal(rng.choice(["ห้าร้อย", "12,34,5", "#REF!", "1.2.3"])), kind
    if kind == "not_a_whole_number":
        return name, _Literal("12.5"), kind
    if kind == "not_a_date":
        return name, _Literal(rng.choice(["31/02/2569", "ไม่ทราบ", "2026-13-01"])), kind
    if kind == "not_a_month":
        return name, _Literal(rng.choice(["13/2569", "ไม่ระบุ"])), kind
    if kind == "not_a_flag":
        return name, _Literal("บางส่วน"), kind
    if kind == "bad_area_code":
        return (
            name,
            _Literal(
                {"tambon": "999999", "village": "99999901", "amphoe": "9999", "unit": "9999"}[column.level]
            ),
            kind,
        )
    if kind == "outside_period":
        return name, night.replace(day=1) - dt.timedelta(days=40), kind
    return name, _Literal(f"{row[name]} !"), kind  # bad_format: stays unique, so not also a duplicate key


def _break_a_rule(rng, contract: Contract, row: dict) -> tuple[str, object, str]:
    """Breaks one of the cross-field rules that apply to the row, keeping the others, so the
    row fails that rule. Returns (the rule's column, its value now, the rule's name)."""
    rule = rng.choice([r for r in contract.rules if _applies_to(contract, r, row)])
    BREAK[rule.kind](rng, contract, rule, row)
    for other in contract.rules:  # what the change touched (a tool's items) follows it
        if other is not rule and other.kind in RE_KEPT_AFTER_A_BREAK:
            KEEP[other.kind](rng, contract, other, row)
    return rule.column, row[rule.column], rule.name


def _applies_to(contract: Contract, rule: Rule, row: dict) -> bool:
    """A range for one code only applies to rows of that code; a column blank but for one code
    can be broken only on rows of another."""
    if rule.kind == "range_when":
        return code_of(row[rule.when_column]) == rule.when_code
    if rule.kind == "blank_unless":
        return code_of(row[rule.when_column]) != rule.when_code
    return True


def _break_not_greater_than(rng, contract: Contract, rule: Rule, row: dict) -> None:
    row[rule.column] = (row[rule.than] or 0) + 1000


def _break_per_member(rng, contract: Contract, rule: Rule, row: dict) -> None:
    """An income per person that the household total does not support."""
    row[rule.total] = round(row[rule.column] * row[rule.members], 2)
    row[rule.column] += 5000


def _break_range_when(rng, contract: Contract, rule: Rule, row: dict) -> None:
    """Outside the rule's range, inside the column's own bounds (so only this rule fails)."""
    column = contract.column(rule.column)
    if rule.max is not None:
        row[rule.column] = round(min(rule.max + rng.uniform(0.5, 5), column.max), 2)
    else:
        row[rule.column] = round(max(rule.min * rng.uniform(0.2, 0.9), column.min or 0), 2)


def _break_blank_unless(rng, contract: Contract, rule: Rule, row: dict) -> None:
    """A value in the column on a row of another code."""
    column = contract.column(rule.column)
    low, high = column.typical or (column.min or 0, column.max or 1000)
    value = rng.uniform(max(low, 1), high)
    row[rule.column] = round(value, 2) if column.type == "decimal" else int(value)


def _break_tool_of_year(rng, contract: Contract, rule: Rule, row: dict) -> None:
    """Another tool than the survey year's (its items then filled as that tool asks)."""
    year_tool = code_of(row[rule.column])
    entries = code_lists()[contract.column(rule.column).code_list]
    row[rule.column] = rng.choice([e for e in entries if e.code != year_tool])


def _break_items_of_tool(rng, contract: Contract, rule: Rule, row: dict) -> None:
    """An item of the tool left blank, or an item beyond it answered."""
    count = tool(code_of(row[rule.column])).item_count
    items = _item_columns(contract, rule)
    number, name = rng.choice(items)
    row[name] = None if number <= count else rng.random() < ITEM_PASS_RATE


BREAK: dict[str, Callable[[random.Random, Contract, Rule, dict], None]] = {
    "not_greater_than": _break_not_greater_than,
    "per_member": _break_per_member,
    "range_when": _break_range_when,
    "blank_unless": _break_blank_unless,
    "tool_of_year": _break_tool_of_year,
    "items_of_tool": _break_items_of_tool,
}
# Rules that follow the other columns of a row rather than choose them: kept again after
# another rule is broken, so that the row breaks one rule only.
RE_KEPT_AFTER_A_BREAK = ("items_of_tool",)


@dataclass(frozen=True)
class _Literal:
    """A spoilt value written exactly as is (no date or digit styling)."""

    text: str


def _spoil_file(rng, kind: str, contract: Contract, folder: tuple, rows: list[dict], shape, night: dt.date):
    province, dataset, period = folder
    if kind == "empty_file":
        rows = []
    elif kind == "missing_columns":
        shape = shape.without(
            next(c.name for c in contract.columns if c.required and c.name not in contract.key)
        )
    elif kind == "unreadable_format":
        shape = shape.as_extension("xls")
    elif kind == "unreadable_encoding":  # a text file in a code page that is neither UTF-8 nor Thai
        shape = shape.as_extension("csv")
    elif kind == "duplicate_keys":
        rows[1] = dict(rows[1], **{k: rows[0][k] for k in contract.key})
    elif kind == "wrong_province_folder":
        province = next(p for p in cdd_provinces() if p != province and p[0] != province[0])
    elif kind == "wrong_period_folder":
        period = f"{(night.replace(day=1) - dt.timedelta(days=1)):%Y-%m}"  # last month's folder
    elif kind == "unknown_dataset":
        dataset = "community_survey"
    elif kind == "unknown_province":
        province = "99"
    elif kind == "pii_in_clear":
        for row in rows:
            row[contract.pii_column] = _Literal(f"{rng.randint(1, 8)}{rng.randint(0, 10**12 - 1):012d}")
    return (province, dataset, period), rows, shape


def _corrupt(rng: random.Random, kind: str, content: bytes) -> bytes:
    if kind == "corrupt_file":
        return rng.randbytes(len(content) // 2 + 64)
    return content[:40] + b"\xfc\xfd\xfe\xff" + content[40:]  # bytes no Thai code page defines


# ---------------------------------------------------------------------------------------------
# Anomalies: clean files, unusual for their province


def _inject_anomaly(
    kind: str, rng: random.Random, contract: Contract, rows: list[dict], province: str, night: dt.date
) -> tuple[list[dict], str | None, str | None] | None:
    """The file's rows made unusual by `kind`: (rows, column, code), None where these rows do
    not allow it."""
    columns = _anomaly_columns(kind, contract)
    if not columns or len(rows) < ANOMALY_MIN_ROWS:
        return None
    return INJECT[kind](rng, contract, rows, columns, province, night)


def _anomaly_columns(kind: str, contract: Contract) -> list[str | None]:
    """What an anomaly of `kind` may change in the dataset's files, as far as the contract says:
    the whole file ([None]) or these columns; [] where it never applies. The rows then decide
    (a column must be usually filled to jump to blank, a code rare to be shifted to)."""
    if kind == "halved_volume":
        return [None]
    if kind == "volume_spike":  # more rows must be more entities, and only events are drawn per night
        return [] if contract.dataset in REPORTED else [None]
    if kind == "amount_spike":
        return [name for name in contract.observed_sums if _spiked_together(contract, name) is not None]
    if kind == "null_jump":  # a rule may need the value, but a column blank but for one code may be blank
        needed = {
            name
            for rule in contract.rules
            for name in _read_by(contract, rule)
            if not (rule.kind == "blank_unless" and name == rule.column)
        }
        return [c.name for c in contract.columns if not c.required and c.name not in needed]
    # code_shift: a required code (an optional one would change its share of blanks as well) that
    # neither the key nor any rule reads
    read = {name for rule in contract.rules for name in _read_by(contract, rule)}
    return [
        c.name
        for c in contract.columns
        if c.type == "code" and c.required and c.name not in contract.key and c.name not in read
    ]


def _read_by(contract: Contract, rule: Rule) -> set[str]:
    """Every column a rule reads: those it names and, for a tool's items, the item columns."""
    items = {name for _, name in _item_columns(contract, rule)} if rule.items else set()
    return {*rule.columns, *items}


def _spiked_together(contract: Contract, name: str) -> set[str] | None:
    """The amounts to multiply along with `name` so that every rule still holds, `name` among
    them; None when a rule cannot hold with `name` multiplied (a range for one code)."""
    spiked, todo = set(), [name]
    while todo:
        column = todo.pop()
        if column in spiked:
            continue
        spiked.add(column)
        for rule in contract.rules:
            tied = _tied(contract, rule, column)
            if tied is None:
                return None
            todo.extend(tied)
    return spiked


def _tied(contract: Contract, rule: Rule, name: str) -> set[str] | None:
    """What must grow with amount `name` for `rule` to hold: a value not greater than another
    needs the other as large (a larger ceiling alone keeps the rule); income per person and the
    household's income grow together (the members stay); a value blank but for one code may
    grow. None: the rule cannot hold."""
    if name not in _read_by(contract, rule):
        return set()
    if rule.kind == "not_greater_than":
        return {rule.than} if name == rule.column else set()
    if rule.kind == "per_member" and name != rule.members:
        return {rule.column, rule.total}
    if rule.kind == "blank_unless" and name == rule.column:
        return set()
    return None


def _halve_volume(rng, contract: Contract, rows: list[dict], columns, province: str, night: dt.date):
    """Every other row: about half the usual volume (part of the district offices' returns left out)."""
    return rows[::2], None, None


def _spike_volume(rng, contract: Contract, rows: list[dict], columns, province: str, night: dt.date):
    """Twice as many events again, numbered after the file's own, so no key repeats."""
    numbers = range(len(rows), len(rows) * VOLUME_SPIKE)
    more = _rows(rng, contract, province, night, _events(contract, province, night, numbers), numbers.start)
    return rows + more, None, None


def _spike_amount(rng, contract: Contract, rows: list[dict], columns, province: str, night: dt.date):
    """One main amount AMOUNT_SPIKE times as large on every row (with what a rule ties to it),
    where every value stays within its column's bounds; one that moves alone is preferred."""
    spiked = {name: _spiked_together(contract, name) for name in columns}
    fits = [
        name
        for name, together in spiked.items()
        if all(_within_max(contract.column(c), row[c], AMOUNT_SPIKE) for row in rows for c in together)
    ]
    if not fits:
        return None
    fewest = min(len(spiked[name]) for name in fits)
    name = rng.choice([n for n in fits if len(spiked[n]) == fewest])
    rules = [r for r in contract.rules if _read_by(contract, r) & spiked[name]]
    for row in rows:
        for c in spiked[name]:
            if row[c] is not None:
                row[c] = _times(contract.column(c), row[c], AMOUNT_SPIKE)
        for rule in rules:  # exact again where rounding moved it (income per person × members)
            KEEP[rule.kind](rng, contract, rule, row)
    return rows, name, None


def _within_max(column: Column, value: float | None, factor: int) -> bool:
    return value is None or column.max is None or value * factor <= column.max


def _times(column: Column, value: float, factor: int) -> float:
    return int(value * factor) if column.type == "integer" else round(value * factor, 2)


def _jump_nulls(rng, contract: Contract, rows: list[dict], columns, province: str, night: dt.date):
    """An optional column usually filled, left blank on NULL_JUMP of the rows."""
    filled = [n for n in columns if sum(row[n] is not None for row in rows) > USUALLY_FILLED * len(rows)]
    if not filled:
        return None
    name = rng.choice(filled)
    for index in rng.sample(range(len(rows)), round(NULL_JUMP * len(rows))):
        rows[index][name] = None
    return rows, name, None


def _shift_code(rng, contract: Contract, rows: list[dict], columns, province: str, night: dt.date):
    """A code column set to one code on CODE_SHIFT of the rows, a code at most RARE_CODE of the
    clean rows have."""
    rare = [
        (name, entry)
        for name in columns
        for entry in code_lists()[contract.column(name).code_list]
        if sum(code_of(row[name]) == entry.code for row in rows) <= RARE_CODE * len(rows)
    ]
    if not rare:
        return None
    name, entry = rng.choice(rare)
    for index in rng.sample(range(len(rows)), round(CODE_SHIFT * len(rows))):
        rows[index][name] = entry
    return rows, name, entry.code


# kind -> (rng, contract, rows, columns it may change, province, night) -> (rows, column, code),
# None where the file's rows do not allow it
INJECT: dict[str, Callable[..., tuple[list[dict], str | None, str | None] | None]] = {
    "halved_volume": _halve_volume,
    "volume_spike": _spike_volume,
    "amount_spike": _spike_amount,
    "null_jump": _jump_nulls,
    "code_shift": _shift_code,
}


# ---------------------------------------------------------------------------------------------
# File shapes


@dataclass(frozen=True)
class _FileShape:
    """How one office saves its file."""

    extension: str
    encoding: str
    thai_headers: bool
    header_variants: bool
    be_dates: bool
    text_dates: bool
    thai_digits: bool
    thousands: bool
    dropped: tuple[str, ...] = ()

    @classmethod
    def pick(cls, rng: random.Random, *, xlsx_allowed: bool) -> _FileShape:
        return cls(
            extension="xlsx" if xlsx_allowed else "csv",
            encoding=rng.choice(["utf-8", "utf-8-sig", "cp874"]),
            thai_headers=rng.random() < 0.7,
            header_variants=rng.random() < 0.3,
            be_dates=rng.random() < 0.6,
            text_dates=rng.random() < 0.2,
            thai_digits=rng.random() < 0.1,
            thousands=rng.random() < 0.3,
        )

    def without(self, column: str) -> _FileShape:
        return _FileShape(**{**asdict(self), "dropped": (*self.dropped, column)})

    def as_extension(self, extension: str) -> _FileShape:
        return _FileShape(**{**asdict(self), "extension": extension})

    def render(
        self,
        contract: Contract,
        rows: list[dict],
        rng: random.Random,
        province: str,
        *,
        saved_at: dt.datetime | None = None,
    ) -> tuple[bytes, list[int]]:
        """The file's bytes, and for each row the row number the officer will see. A workbook
        says it was created and saved at `saved_at` (an aware time; needed for XLSX)."""
        columns = [c for c in contract.columns if c.name not in self.dropped]
        header = [self._header(c, rng) for c in columns]
        if self.extension == "xlsx":
            if saved_at is None:
                raise ValueError("a workbook needs its save time (saved_at)")
            return self._render_xlsx(contract, columns, header, rows, rng, province, saved_at)
        buffer = io.StringIO()
        out = csv.writer(buffer, lineterminator="\r\n")
        out.writerow(header)
        numbers, line = [], 2
        for row in rows:
            if rng.random() < 0.005:  # a blank line, as Excel exports leave
                out.writerow([""] * len(columns))
                line += 1
            out.writerow([self._cell(c, row[c.name], rng) for c in columns])
            numbers.append(line)
            line += 1
        return buffer.getvalue().encode(self.encoding if self.extension == "csv" else "utf-8"), numbers

    def _header(self, column: Column, rng: random.Random) -> str:
        name = column.th if self.thai_headers else column.en
        if self.header_variants:
            name = rng.choice([name, f" {name} ", name.replace(" ", "  "), *column.aliases[:1]])
            name = name.replace("\u0e33", "\u0e4d\u0e32")  # sara am typed as two characters
        return name

    def _cell(self, column: Column, value: object, rng: random.Random) -> str:
        if isinstance(value, _Literal):
            return value.text
        if value is None:
            return ""
        if column.type in ("date", "month"):
            text = self._date(column, value)
        elif column.type == "code":
            text = rng.choice([value.code, value.th, value.th, value.en])
        elif column.type == "code_set":
            text = ";".join(rng.choice([e.code, e.th]) for e in value)
        elif column.type == "flag":
            text = rng.choice(["ผ่าน", "1", "pass"]) if value else rng.choice(["ไม่ผ่าน", "0", "fail"])
        elif column.type == "decimal" and self.thousands:
            text = f"{value:,.2f}"
        else:
            text = str(value)
        if rng.random() < 0.002:  # a stray space, and a zero-width space where the encoding has one
            text = f" {text}" if self.encoding == "cp874" else f" {text}\u200b"
        return text.translate(TO_THAI_DIGITS) if self.thai_digits and column.type != "text" else text

    def _date(self, column: Column, day: dt.date) -> str:
        year = day.year + BE_OFFSET if self.be_dates else day.year
        if self.text_dates:  # Thai month names always go with a BE year, often two digits
            month, short_be = MONTHS_TH_ABBR[day.month - 1], str(day.year + BE_OFFSET)[-2:]
            return f"{month} {short_be}" if column.type == "month" else f"{day.day} {month} {short_be}"
        if column.type == "month":
            return f"{day.month}/{year}" if self.be_dates else f"{day:%Y-%m}"
        return f"{day.day}/{day.month:02d}/{year}" if self.be_dates else day.isoformat()

    def _render_xlsx(
        self, contract, columns, header, rows, rng, province, saved_at
    ) -> tuple[bytes, list[int]]:
        """A workbook as offices make them: a merged banner, a Thai sheet name, the header on
        row 4, real date cells, a merged cell in the data, blank rows and a "รวม" row."""
        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = f"{contract.title_th[:20]} {province}"
        sheet.cell(1, 1, f"แบบรายงาน{contract.title_th} จังหวัด {geothai.province(province).name_th}")
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
        sheet.cell(2, 1, "ข้อมูล ณ วันที่ส่ง (หน่วย: บาท)")
        for position, name in enumerate(header, 1):
            sheet.cell(4, position, name)
        numbers, line = [], 5
        for row in rows:
            if rng.random() < 0.005:
                line += 1  # a blank row
            for position, column in enumerate(columns, 1):
                value = row[column.name]
                if column.type in ("date", "month") and isinstance(value, dt.date) and rng.random() < 0.7:
                    sheet.cell(line, position, value)  # a real date cell: CE inside, whatever it shows
                else:
                    sheet.cell(line, position, self._cell(column, value, rng))
            numbers.append(line)
            line += 1
        if len(rows) >= 2:  # two rows of one area, merged as offices do (never a key: a unit's line)
            area = next(
                (i for i, c in enumerate(columns, 1) if c.type == "area_code" and c.name not in contract.key),
                None,
            )
            if area and not any(isinstance(r[columns[area - 1].name], _Literal) for r in rows[:2]):
                rows[1][columns[area - 1].name] = rows[0][columns[area - 1].name]
                sheet.cell(numbers[1], area).value = None
                sheet.merge_cells(
                    start_row=numbers[0], start_column=area, end_row=numbers[1], end_column=area
                )
        sheet.cell(line + 1, 1, "รวม")
        return _saved_workbook(workbook, saved_at), numbers


def _saved_workbook(workbook, saved_at: dt.datetime) -> bytes:
    """The workbook's bytes as if saved at `saved_at`, whenever it is really saved. openpyxl
    stamps the clock in two places: the document properties (docProps/core.xml: created when
    the workbook is made, modified when it is saved) and every zip entry's date and time. Both
    are set here to `saved_at`, the entries in the order and compression openpyxl wrote them."""
    from openpyxl.xml.constants import ARC_CORE
    from openpyxl.xml.functions import tostring

    moment = saved_at.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    workbook.properties.created = moment
    buffer = io.BytesIO()
    workbook.save(buffer)
    workbook.properties.modified = moment  # save() has just put the clock's time there
    properties = tostring(workbook.properties.to_tree())
    # A zip entry keeps local wall-clock time, to two seconds: the office's, in Bangkok.
    wall_clock = saved_at.astimezone(BANGKOK_TZ).timetuple()[:6]
    fixed = io.BytesIO()
    with zipfile.ZipFile(buffer) as written, zipfile.ZipFile(fixed, "w") as out:
        for entry in written.infolist():
            data = properties if entry.filename == ARC_CORE else written.read(entry)
            info = zipfile.ZipInfo(entry.filename, date_time=wall_clock)
            info.compress_type = entry.compress_type
            info.external_attr = entry.external_attr
            out.writestr(info, data)
    return fixed.getvalue()
