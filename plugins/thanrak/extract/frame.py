"""Extract: provincial file bytes -> a typed table with every parse problem noted per row.

Reading never judges the data (that is validation's job) except where a value cannot be
typed at all: such a value becomes null and its row carries a problem with the text as sent.
Work is columnar (pyarrow) and per distinct value where values repeat (codes, dates), so
national-scale files stay close to the speed of COPY.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from thanrak.contract.declarations import DATASETS, Column, Contract, code_lookup, load_contract
from thanrak.contract.messages import message
from thanrak.extract.readers import Unreadable, read_table
from thanrak.thai.dates import parse_thai_date, parse_thai_month
from thanrak.thai.text import clean, normalise_header

SOURCE_ROW = "_source_row"
PROBLEMS = "_problems"
# A typed column's text as the officer typed it, beside the typed value, so that every reason
# shows '15/11/2579' and not the date it became (text and flag columns need none).
AS_TYPED = "_as_typed__"
_AS_TYPED_TYPES = frozenset({"integer", "decimal", "date", "month", "code", "code_set", "area_code"})
_PLAIN_ASCII = r"^[\x21-\x7e]*$"  # no spaces, no Thai digits, no invisible characters
_GROUPED_NUMBER = r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$"
_PLAIN_NUMBER = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$"
_INT64_LIMIT = 2.0**63  # a whole number at or beyond it does not fit PostgreSQL's bigint


class FileRejected(Exception):
    """The whole file cannot be used; carries the reason in Thai and English (its FILE_PROBLEMS
    message, filled in with `detail` and any other `fields` it names)."""

    def __init__(self, reason: str, detail: str = "", detail_th: str | None = None, **fields: object):
        self.reason = reason
        self.message_en = message(reason, detail=detail, **fields)[1]
        self.message_th = message(reason, detail=detail if detail_th is None else detail_th, **fields)[0]
        super().__init__(self.message_en)


@dataclass
class Extracted:
    frame: pd.DataFrame  # contract columns, typed, plus _source_row and _problems (JSON or None)
    encoding: str | None
    file_format: str
    total_rows_skipped: int = 0

    @property
    def rows(self) -> int:
        return len(self.frame)


def extract(data: bytes, filename: str, contract: Contract) -> Extracted:
    """Reads one submitted file against its contract. Raises FileRejected when unusable."""
    header_map = contract.header_map()

    def wanted(header: list[str]) -> list[int]:
        positions: dict[str, int] = {}
        for index, name in enumerate(header):
            column = header_map.get(normalise_header(name))
            if column and column not in positions:
                positions[column] = index
        return list(positions.values())

    try:
        table = read_table(data, filename, wanted)
    except Unreadable as unreadable:
        raise FileRejected(unreadable.reason, unreadable.detail, unreadable.detail_th) from unreadable
    by_column = {header_map[normalise_header(table.header[i])]: values for i, values in table.columns.items()}
    controls = {
        header_map[normalise_header(table.header[i])]: has for i, has in table.control_characters.items()
    }
    missing = [c for c in contract.columns if c.required and c.name not in by_column]
    if missing:
        if not by_column:
            raise FileRejected("corrupt_file", "no known column headers")
        raise FileRejected("missing_columns", ", ".join(f"{c.th} ({c.en})" for c in missing))
    frame = _type_columns(by_column, table.row_numbers, contract, controls)
    return Extracted(frame, table.encoding, table.file_format, table.total_rows_skipped)


# Why extract rejects a file whose headers are not its dataset's: some required columns missing,
# or none of its headers known.
_HEADERS_NOT_FOUND = frozenset({"missing_columns", "corrupt_file"})


def extract_in_folder(
    data: bytes, filename: str, contract: Contract, *, province: str, period: str
) -> Extracted:
    """`extract` of a file that lies in <province>/<contract.dataset>/<period>/: what the nightly
    pipeline and `thanrak check` both call. A file rejected for its headers, when its headers are
    all of another dataset's (an OTOP file in the activities folder), is rejected as
    `other_dataset_headers`, naming that dataset, its title and its folder, instead of listing the
    columns it lacks.

    Cost: the search extracts the file again against each other contract, up to four more reads,
    only for a file already rejected for its headers; such files are few, so we accept that rather
    than keep a header matcher of our own beside extract's (every accepted spelling, banners,
    workbook sheets)."""
    try:
        return extract(data, filename, contract)
    except FileRejected as rejected:
        if rejected.reason not in _HEADERS_NOT_FOUND:
            raise
        other = headers_dataset(data, filename, besides=contract.dataset)
        if other is None:
            raise
        raise FileRejected(
            "other_dataset_headers",
            dataset=other.dataset,
            title_th=other.title_th,
            title_en=other.title_en,
            expected=contract.dataset,
            expected_title_th=contract.title_th,
            expected_title_en=contract.title_en,
            folder=f"{province}/{other.dataset}/{period}/",
        ) from rejected


def headers_dataset(data: bytes, filename: str, *, besides: str) -> Contract | None:
    """The other dataset whose contract this file's headers satisfy, if any: extract's own header
    matching, tried against each contract but `besides`."""
    for dataset in DATASETS:
        if dataset == besides:
            continue
        try:
            extract(data, filename, load_contract(dataset))
        except FileRejected:
            continue
        return load_contract(dataset)
    return None


def _type_columns(
    by_column: dict[str, pa.Array],
    row_numbers: pa.Array,
    contract: Contract,
    controls: dict[str, pa.Array] | None = None,
) -> pd.DataFrame:
    problems: dict[int, list[dict]] = {}
    for column in contract.columns:  # a value that held NUL & co. (shown as ␀ …): its row is held back
        if column.name in (controls or {}):
            for position in np.flatnonzero(controls[column.name].to_numpy(zero_copy_only=False)):
                problems.setdefault(int(position), []).append(
                    _problem(column, "control_character", by_column[column.name][int(position)].as_py())
                )
    typed: dict[str, object] = {SOURCE_ROW: row_numbers.to_numpy()}
    for column in contract.columns:
        if column.name not in by_column:
            typed[column.name] = pd.Series([None] * len(row_numbers), dtype=_DTYPES[column.type])
            continue
        raw = by_column[column.name]
        # columns converted per distinct value clean each distinct value there, not every cell
        if column.type in _PER_DISTINCT_TYPES:
            values, failed = _CONVERTERS[column.type](column, pc.dictionary_encode(raw))
        else:
            values, failed = _CONVERTERS[column.type](column, _cleaned(raw, digits=_digits_expected(column)))
        typed[column.name] = values
        if column.type in _AS_TYPED_TYPES:  # the text as read, shared with Arrow (no copy)
            typed[AS_TYPED + column.name] = pd.Series(pd.arrays.ArrowExtensionArray(raw))
        for position in np.flatnonzero(failed):
            problems.setdefault(int(position), []).append(
                _problem(column, _FAILURE[column.type], by_column[column.name][int(position)].as_py())
            )
    # from the columns' arrays, not their Series: pandas would align every Series' index. The
    # arrays are copied (the default): some come zero-copy from Arrow and are read-only.
    frame = pd.DataFrame(
        {name: values.array if isinstance(values, pd.Series) else values for name, values in typed.items()}
    )
    reported = np.full(len(frame), np.nan, dtype=object)
    for position, found in problems.items():
        reported[position] = json.dumps(found, ensure_ascii=False)
    frame[PROBLEMS] = pd.Series(reported, index=frame.index, dtype=object)
    return frame


def _digits_expected(column: Column) -> bool:
    """Thai digits mean ASCII ones where a number, a date, a code or a patterned id is expected;
    free text (a `text` column without a pattern: names, places) is stored as typed."""
    return column.type != "text" or column.pattern is not None


def _cleaned(values: pa.Array, *, digits: bool = True) -> pa.Array:
    """Invisible characters and stray spaces cleaned, Thai digits too unless `digits=False`;
    plain ASCII (most cells) is left as it is without a Python call; empty becomes null."""
    values = pc.fill_null(values, "")
    plain = pc.match_substring_regex(values, _PLAIN_ASCII)
    if not pc.all(plain).as_py():
        others = pc.filter(values, pc.invert(plain))
        distinct = pc.unique(others)
        cleaned = pa.array([clean(v, digits=digits) for v in distinct.to_pylist()], pa.string())
        replaced = pc.take(cleaned, pc.index_in(others, distinct))
        values = pc.replace_with_mask(values, pc.invert(plain), replaced)
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def _problem(column: Column, rule: str, value: object) -> dict:
    th, en = message(rule, column_th=column.th, column_en=column.en, value=value)
    return {"rule": rule, "column": column.name, "value": value, "message_th": th, "message_en": en}


def _failed(text: pa.Array, converted_valid: np.ndarray) -> np.ndarray:
    """Positions with text that did not convert (empty text is missing, not a failure)."""
    return ~converted_valid & pc.is_valid(text).to_numpy(zero_copy_only=False)


def _to_pandas(values: pa.Array) -> pd.Series:
    """Arrow -> pandas without a per-value Python copy where pandas can hold Arrow data."""
    return pd.Series(values.to_pandas(types_mapper=_PANDAS_TYPES.get))


_PANDAS_TYPES = {pa.string(): pd.StringDtype("pyarrow"), pa.bool_(): pd.BooleanDtype()}


def _as_text(_: Column, text: pa.Array) -> tuple[pd.Series, np.ndarray]:
    return _to_pandas(text), np.zeros(len(text), bool)


def _as_decimal(_: Column, text: pa.Array) -> tuple[pd.Series, np.ndarray]:
    plain_numbers = pc.match_substring_regex(text, _PLAIN_NUMBER)
    if pc.all(plain_numbers, min_count=0).as_py():  # most columns: every value a plain number
        return _to_pandas(pc.cast(text, pa.float64())).astype("float64"), np.zeros(len(text), bool)
    has_comma = pc.fill_null(pc.match_substring(text, ","), False)
    well_grouped = pc.fill_null(pc.match_substring_regex(text, _GROUPED_NUMBER), False)
    plain = pc.replace_substring(text, ",", "")
    usable = pc.and_(
        pc.fill_null(pc.match_substring_regex(plain, _PLAIN_NUMBER), False),
        pc.invert(pc.and_(has_comma, pc.invert(well_grouped))),
    )
    numbers = pc.cast(pc.if_else(usable, plain, pa.scalar(None, pa.string())), pa.float64())
    return _to_pandas(numbers).astype("float64"), _failed(
        text, pc.is_valid(numbers).to_numpy(zero_copy_only=False)
    )


def _as_integer(column: Column, text: pa.Array) -> tuple[pd.Series, np.ndarray]:
    """A decimal with no fraction; one beyond 64 bits is not a whole number PostgreSQL can hold."""
    numbers = _as_decimal(column, text)[0].to_numpy()
    whole = (numbers == np.floor(numbers)) & (np.abs(numbers) < _INT64_LIMIT)
    integers = pd.arrays.IntegerArray(np.where(whole, numbers, 0).astype(np.int64), ~whole)
    return pd.Series(integers), _failed(text, whole)


def _per_distinct(convert: Callable[[str], object], arrow_type: pa.DataType) -> Callable:
    """A converter called once per distinct value (dates and codes repeat a lot) of the
    dictionary-encoded text, the result spread back over the column by Arrow."""

    def apply(_: Column, encoded: pa.DictionaryArray) -> tuple[pd.Series, np.ndarray]:
        converted, given = [], []
        for value in encoded.dictionary.to_pylist():
            cleaned = clean(value)
            given.append(bool(cleaned))  # empty or only spaces: missing, not a problem
            try:
                converted.append(convert(cleaned) if cleaned else None)
            except (ValueError, ArithmeticError, KeyError):
                converted.append(None)
        values = pc.take(pa.array(converted, arrow_type), encoded.indices)
        given = pc.fill_null(pc.take(pa.array(given, pa.bool_()), encoded.indices), False)
        failed = given.to_numpy(zero_copy_only=False) & ~pc.is_valid(values).to_numpy(zero_copy_only=False)
        return _to_pandas(values), failed

    return apply


def _as_date(column: Column, text: pa.Array):
    return _per_distinct(parse_thai_date, pa.date32())(column, text)


def _as_month(column: Column, text: pa.Array):
    return _per_distinct(parse_thai_month, pa.date32())(column, text)


def _as_flag(column: Column, text: pa.Array):
    lookup = code_lookup("pass_fail")
    return _per_distinct(lambda v: lookup[normalise_header(v)] == "true", pa.bool_())(column, text)


def _as_code(column: Column, text: pa.Array):
    """Known spellings become the code; unknown text is kept as sent, for validation to flag."""
    lookup = code_lookup(column.code_list)
    return _per_distinct(lambda v: lookup.get(normalise_header(v), v), pa.string())(column, text)


def _as_code_set(column: Column, text: pa.Array):
    lookup = code_lookup(column.code_list)

    def convert(value: str) -> str:
        parts = [p for p in value.replace(",", ";").replace("|", ";").split(";") if p.strip()]
        return ";".join(sorted({lookup.get(normalise_header(p), p.strip()) for p in parts}))

    return _per_distinct(convert, pa.string())(column, text)


_CONVERTERS = {
    "text": _as_text,
    "area_code": _as_text,
    "integer": _as_integer,
    "decimal": _as_decimal,
    "date": _as_date,
    "month": _as_month,
    "flag": _as_flag,
    "code": _as_code,
    "code_set": _as_code_set,
}
_PER_DISTINCT_TYPES = frozenset({"date", "month", "flag", "code", "code_set"})
_DTYPES = {"integer": "Int64", "decimal": "float64", "flag": "boolean"} | dict.fromkeys(
    ("text", "area_code", "date", "month", "code", "code_set"), "object"
)
# The problem a value that cannot be converted gets, by column type (text always converts).
_FAILURE = {
    "integer": "not_a_whole_number",
    "decimal": "not_a_number",
    "date": "not_a_date",
    "month": "not_a_month",
    "flag": "not_a_flag",
}
