"""Extract: provincial file bytes -> a typed table with every parse problem noted per row.

Reading never judges the data (that is validation's job) except where a value cannot be
typed at all: such a value becomes null and its row carries a problem with the text as sent.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from thanrak.contract import Column, Contract, code_lookup
from thanrak.messages import message
from thanrak.thai_calendar import parse_thai_date
from thanrak.thai_text import clean, normalise_header, parse_number

SOURCE_ROW = "_source_row"
RECORD = "_record"
PROBLEMS = "_problems"
_ENCODINGS = ("utf-8-sig", "cp874")  # utf-8-sig reads plain UTF-8 too and drops a BOM


class FileRejected(Exception):
    """The whole file cannot be used; carries the reason in Thai and English."""

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        self.message_th, self.message_en = message(reason, detail=detail)
        super().__init__(self.message_en)


@dataclass
class Extracted:
    frame: pd.DataFrame  # contract columns, typed, plus _source_row, _record and _problems
    encoding: str
    file_format: str

    @property
    def rows(self) -> int:
        return len(self.frame)


def extract(data: bytes, filename: str, contract: Contract) -> Extracted:
    """Reads one submitted file against its contract. Raises FileRejected when unusable."""
    if not filename.lower().endswith(".csv"):
        raise FileRejected("unreadable_format", filename.rsplit("/", 1)[-1])
    text, encoding = _decode(data)
    header, rows = _read_csv(text)
    frame = _to_contract_columns(header, rows, contract, first_data_row=2)
    return Extracted(_type_columns(frame, contract), encoding, "csv")


def _decode(data: bytes) -> tuple[str, str]:
    if b"\x00" in data[:4096]:
        raise FileRejected("corrupt_file", "binary data")
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding), encoding.replace("-sig", "")
        except UnicodeDecodeError:
            continue
    raise FileRejected("unreadable_encoding")


def _read_csv(text: str) -> tuple[list[str], list[list[str]]]:
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise FileRejected("corrupt_file", str(error)) from error
    if not lines:
        raise FileRejected("empty_file")
    return lines[0], lines[1:]


def _to_contract_columns(
    header: list[str], rows: list[list[str]], contract: Contract, first_data_row: int
) -> pd.DataFrame:
    """Maps the province's headers to contract columns; blank rows are dropped but keep their
    numbers out of the count, so row numbers match what the officer sees in the file."""
    header_map = contract.header_map()
    positions = {}
    for index, name in enumerate(header):
        column = header_map.get(normalise_header(name))
        if column and column not in positions:
            positions[column] = index
    missing = [c for c in contract.columns if c.required and c.name not in positions]
    if missing:
        if len(positions) == 0:
            raise FileRejected("corrupt_file", "no known column headers")
        raise FileRejected("missing_columns", ", ".join(f"{c.th} ({c.en})" for c in missing))
    records, numbers = [], []
    for offset, row in enumerate(rows):
        if not any(cell.strip() for cell in row):
            continue
        records.append([row[i] if i < len(row) else "" for i in positions.values()])
        numbers.append(first_data_row + offset)
    if not records:
        raise FileRejected("empty_file")
    frame = pd.DataFrame(records, columns=list(positions), dtype=object)
    frame.insert(0, SOURCE_ROW, numbers)
    return frame


def _type_columns(frame: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    """Types every contract column; collects per-row problems; keeps the row as sent."""
    problems: list[list[dict]] = [[] for _ in range(len(frame))]
    present = [c for c in contract.columns if c.name in frame.columns]
    typed = pd.DataFrame({SOURCE_ROW: frame[SOURCE_ROW].astype("int64")})
    for column in present:
        raw = frame[column.name].map(lambda v: clean(v) if isinstance(v, str) else "")
        values, failed = _convert_unique(raw, _CONVERTERS[column.type](column))
        typed[column.name] = values
        for position in failed.nonzero()[0]:
            problems[position].append(
                _problem(column, _FAILURE[column.type], frame[column.name].iat[position])
            )
    typed[RECORD] = [
        json.dumps(record, ensure_ascii=False)
        for record in frame[[c.name for c in present]].to_dict(orient="records")
    ]
    typed[PROBLEMS] = [json.dumps(p, ensure_ascii=False) for p in problems]
    return typed


def _problem(column: Column, rule: str, value: object) -> dict:
    th, en = message(rule, column_th=column.th, column_en=column.en, value=value)
    return {"rule": rule, "column": column.name, "value": value, "message_th": th, "message_en": en}


_MISSING = object()


def _convert_unique(raw: pd.Series, convert: Callable[[str], object]) -> tuple[pd.Series, pd.Series]:
    """Converts each distinct value once (files repeat codes and dates a lot). Empty text is
    missing, not a problem; text that cannot be converted is a problem."""
    mapping = {}
    for value in raw.unique():
        if value == "":
            mapping[value] = None
            continue
        try:
            mapping[value] = convert(value)
        except (ValueError, ArithmeticError):
            mapping[value] = _MISSING
    converted = raw.map(mapping)
    failed = converted.map(lambda v: v is _MISSING).to_numpy()
    return converted.where(~failed, None), failed


def _as_integer(_: Column) -> Callable[[str], int]:
    def convert(text: str) -> int:
        number = parse_number(text)
        if number != number.to_integral_value():
            raise ValueError(text)
        return int(number)

    return convert


def _as_decimal(_: Column) -> Callable[[str], float]:
    return lambda text: float(parse_number(text))


def _as_date(_: Column) -> Callable[[str], dt.date]:
    return parse_thai_date


def _as_code(column: Column) -> Callable[[str], str]:
    """Known spellings become the code; unknown text is kept as sent, for validation to flag."""
    lookup = code_lookup(column.code_list)
    return lambda text: lookup.get(normalise_header(text), text)


def _as_code_set(column: Column) -> Callable[[str], str]:
    lookup = code_lookup(column.code_list)

    def convert(text: str) -> str:
        parts = [p for p in text.replace(",", ";").replace("|", ";").split(";") if p.strip()]
        return ";".join(sorted({lookup.get(normalise_header(p), p.strip()) for p in parts}))

    return convert


def _as_text(_: Column) -> Callable[[str], str]:
    return lambda text: text


_CONVERTERS = {
    "text": _as_text,
    "area_code": _as_text,
    "integer": _as_integer,
    "decimal": _as_decimal,
    "date": _as_date,
    "code": _as_code,
    "code_set": _as_code_set,
}
# The problem a value that cannot be converted gets, by column type (text always converts).
_FAILURE = {"integer": "not_a_whole_number", "decimal": "not_a_number", "date": "not_a_date"}
