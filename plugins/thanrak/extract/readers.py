"""Readers: the bytes of a provincial file -> a header and columns of text, whatever the
file's shape. CSV in UTF-8 (with or without BOM) or cp874; XLSX with banner rows above the
header, Thai sheet names, merged cells, "รวม" total rows and blank rows.

Each reader returns every data row with the row number the officer sees in the file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from thanrak.thai.text import clean

_ENCODINGS = ("utf-8-sig", "cp874")  # utf-8-sig reads plain UTF-8 too and drops a BOM
# A first or second cell that says exactly this marks a total row in provincial workbooks, not
# data. Exact match only: a project may well be called "รวมพลังชุมชน".
TOTAL_MARKERS = frozenset({"รวม", "รวมทั้งสิ้น", "ผลรวม", "รวมทั้งหมด", "total", "grandtotal", "subtotal", "sum"})
_HEADER_SEARCH_ROWS = 15
_BOM = b"\xef\xbb\xbf"
_VISIBLE = r"[^\s\x{00A0}\x{200B}\x{200C}\x{200D}\x{2060}\x{FEFF}]"


class Unreadable(Exception):
    """The file cannot be read as a table; `reason` is a key of thanrak.contract.messages."""

    def __init__(self, reason: str, detail: str = ""):
        self.reason, self.detail = reason, detail
        super().__init__(f"{reason}: {detail}")


@dataclass
class RawTable:
    header: list[str]
    columns: dict[int, pa.Array]  # position in the header -> text values (null or '' when empty)
    row_numbers: pa.Array  # int64, the row number the officer sees for each value
    encoding: str | None
    file_format: str
    total_rows_skipped: int = 0


def read_table(data: bytes, filename: str, wanted: Callable[[list[str]], list[int]]) -> RawTable:
    """Reads a CSV or XLSX file. `wanted(header)` returns the header positions to keep."""
    name = filename.lower()
    if name.endswith(".csv"):
        return _read_csv(data, wanted)
    if name.endswith(".xlsx"):
        return _read_xlsx(data, wanted)
    raise Unreadable("unreadable_format", filename.rsplit("/", 1)[-1])


def _decode(data: bytes) -> tuple[str, str]:
    if b"\x00" in data[:4096]:
        raise Unreadable("corrupt_file", "binary data")
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding), encoding.replace("-sig", "")
        except UnicodeDecodeError:
            continue
    raise Unreadable("unreadable_encoding")


def _read_csv(data: bytes, wanted: Callable[[list[str]], list[int]]) -> RawTable:
    if b"\x00" in data[:4096]:
        raise Unreadable("corrupt_file", "binary data")
    if not data.strip():
        raise Unreadable("empty_file")
    try:  # most files are UTF-8: Arrow reads and checks the bytes as they are, in C++
        header, body, count = _arrow_csv(data.removeprefix(_BOM), check_utf8=True)
        encoding = "utf-8"
    except pa.ArrowInvalid:  # another encoding, or ragged rows: decode in Python to find out
        text, encoding = _decode(data)
        try:
            header, body, count = _arrow_csv(text.encode("utf-8"), check_utf8=False)
        except pa.ArrowInvalid:  # a row with more or fewer cells than the header
            header, body, count = _read_csv_tolerant(text)
    keep = wanted(header)
    markers = [body[i] for i in range(min(2, len(body)))]
    return _data_rows(
        header, {i: body[i] for i in keep}, markers, count, first_row=2, encoding=encoding, fmt="csv"
    )


def _arrow_csv(utf8: bytes, *, check_utf8: bool) -> tuple[list[str], dict[int, pa.Array], int]:
    table = pa_csv.read_csv(
        io.BytesIO(utf8),
        read_options=pa_csv.ReadOptions(autogenerate_column_names=True, block_size=1 << 24),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pa_csv.ConvertOptions(
            column_types=None,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            auto_dict_encode=False,
            check_utf8=check_utf8,
            null_values=[],
        ),
    )
    table = table.cast(pa.schema([(f.name, pa.string()) for f in table.schema]))
    columns = [table.column(i).combine_chunks() for i in range(table.num_columns)]
    header = [str(column[0]) for column in columns]
    return header, {i: column.slice(1) for i, column in enumerate(columns)}, table.num_rows - 1


def _read_csv_tolerant(text: str) -> tuple[list[str], dict[int, pa.Array], int]:
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise Unreadable("corrupt_file", str(error)) from error
    header, rows = lines[0], lines[1:]
    body = {i: pa.array([r[i] if i < len(r) else "" for r in rows], pa.string()) for i in range(len(header))}
    return header, body, len(rows)


def _data_rows(
    header: list[str],
    body: dict[int, pa.Array],
    markers: list[pa.Array],
    count: int,
    *,
    first_row: int,
    encoding,
    fmt,
) -> RawTable:
    """Drops blank rows and total rows; row numbers keep counting them."""
    numbers = pa.array(range(first_row, first_row + count), pa.int64())
    keep = None
    if body:  # a row is data when any kept cell holds something visible: one pass over the joined row
        cells = [pc.fill_null(values, "") for values in body.values()]
        keep = pc.fill_null(
            pc.match_substring_regex(pc.binary_join_element_wise(*cells, ""), _VISIBLE), False
        )
    totals = 0
    if keep is not None and markers:
        is_total = None
        for values in markers:
            normalised = pc.replace_substring_regex(pc.utf8_lower(values), r"[\s._:]", "")
            marked = pc.fill_null(pc.is_in(normalised, pa.array(sorted(TOTAL_MARKERS))), False)
            is_total = marked if is_total is None else pc.or_(is_total, marked)
        totals = pc.sum(pc.and_(keep, is_total)).as_py() or 0
        keep = pc.and_(keep, pc.invert(is_total))
    if keep is not None and not pc.all(keep).as_py():
        body = {i: pc.filter(v, keep) for i, v in body.items()}
        numbers = pc.filter(numbers, keep)
    if len(numbers) == 0:
        raise Unreadable("empty_file")
    return RawTable(header, body, numbers, encoding, fmt, totals)


def _read_xlsx(data: bytes, wanted: Callable[[list[str]], list[int]]) -> RawTable:
    import openpyxl  # only XLSX needs it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise Unreadable("corrupt_file", f"not a readable .xlsx workbook: {type(error).__name__}") from error
    best = None  # (number of matched columns, sheet, header row index, positions)
    for sheet in workbook.worksheets:
        for index, row in enumerate(sheet.iter_rows(max_row=_HEADER_SEARCH_ROWS, values_only=True)):
            header = [clean(str(v)) if v is not None else "" for v in row]
            keep = wanted(header)
            if keep and (best is None or len(keep) > len(best[0])):
                best = (keep, sheet, index, header)
    if best is None:
        raise Unreadable("corrupt_file", "no sheet has the template's column headers")
    keep, sheet, header_index, header = best
    _fill_merged_cells(sheet)
    first_data = header_index + 2  # 1-based row number of the first row under the header
    rows = list(sheet.iter_rows(min_row=first_data, values_only=True))
    width = max([len(header), *(len(r) for r in rows)]) if rows else len(header)
    body = {
        i: pa.array([_cell_text(r[i]) if i < len(r) else "" for r in rows], pa.string()) for i in range(width)
    }
    markers = [body[i] for i in range(min(2, width))]
    return _data_rows(
        header,
        {i: body[i] for i in keep},
        markers,
        len(rows),
        first_row=first_data,
        encoding=None,
        fmt="xlsx",
    )


def _fill_merged_cells(sheet) -> None:
    """A merged range holds its value in the top-left cell only; every cell of it means it."""
    for merged in list(sheet.merged_cells.ranges):
        value = sheet.cell(merged.min_row, merged.min_col).value
        sheet.unmerge_cells(str(merged))
        for row in sheet.iter_rows(
            min_row=merged.min_row, max_row=merged.max_row, min_col=merged.min_col, max_col=merged.max_col
        ):
            for cell in row:
                cell.value = value


def _cell_text(value: object) -> str:
    """An Excel cell as the text a CSV would hold. Date cells are already CE (Thai-locale
    formats only display BE), so they are written ISO and never shifted by 543."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
