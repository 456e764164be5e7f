"""Readers: the bytes of a provincial file -> a header and columns of text, whatever the
file's shape. CSV in UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text")
or cp874, delimited by `,` `;` tab or `|`; XLSX with banner rows above the header, Thai sheet
names, merged cells, "รวม" total rows and blank rows.

Each reader returns every data row with the row number the officer sees in the file.

Decoding is honest and checks the whole file before anything trusts the text (see "Decoding"
in docs/data-quality.md): valid UTF-8 is UTF-8; a BOM decides UTF-16; only bytes that are not
UTF-8 and read as plausible Thai are cp874; a file that is UTF-8 but for a few bad sequences
is damaged, rejected naming the first one, never re-read as cp874. C0 control characters (NUL
and the others but tab, CR, LF) never reach a value: a file full of them is rejected as
damaged; a value holding one has it shown as its control picture (U+2400 ␀ …) and is marked,
so that its row is quarantined."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from thanrak.thai.text import clean

# A first or second cell that says exactly this marks a total row in provincial workbooks, not
# data. Exact match only: a project may well be called "รวมพลังชุมชน".
TOTAL_MARKERS = frozenset({"รวม", "รวมทั้งสิ้น", "ผลรวม", "รวมทั้งหมด", "total", "grandtotal", "subtotal", "sum"})
_HEADER_SEARCH_ROWS = 15
_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # neither pair can start UTF-8 or cp874 text
_VISIBLE = r"[^\s\x{00A0}\x{200B}\x{200C}\x{200D}\x{2060}\x{FEFF}]"
_DELIMITERS = (",", ";", "\t", "|")  # in this order of preference when a header fits several
# C0 control characters but tab, LF and CR: nobody types them, and PostgreSQL cannot store NUL.
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
_CONTROL_BYTES = re.compile(_CONTROL.encode())
_CONTROL_PICTURES = {c: 0x2400 + c for c in range(32) if c not in (9, 10, 13)}  # ␀ ␁ … ␟
_CHUNK = 1 << 18
_SAMPLE_BYTES = 1 << 20
_NUL_RUN = b"\x00" * 16  # a zero-filled block: a file damaged on disk or in transfer
_DOS_EOF = b"\x1a"  # the Ctrl-Z old DOS tools append to a text file: an end mark, not data
# Thai text read in the wrong code page puts combining marks after non-Thai letters and leading
# vowels before non-consonants; real Thai (typos such as doubled vowels included) hardly ever.
_THAI_MARK = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
_MISPLACED_THAI = re.compile(
    f"[^\u0e01-\u0e2e{_THAI_MARK}][{_THAI_MARK}]|[\u0e40-\u0e44](?![\u0e01-\u0e2e\u0e40-\u0e44])"
)
_THAI_MARKS = re.compile(f"[{_THAI_MARK}\u0e40-\u0e44]")
_FORMULA_CELLS = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?<!/)>(.*?)</(?:\w+:)?c>", re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
# Substrings every formula element contains (`</f>`, or `<f t="shared" …/>`): a fast test
# before the regular expression.
_FORMULA_MARKS = (b"f>", b"<f ", b":f ")
# A saved value: text in <v>, or an empty <v> of a text result (t="str"); openpyxl and other
# writers leave a bare <v/> (or none) when nothing calculated the formula.
_CACHED_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*(?<!/)>[^<]")
_TEXT_RESULT = re.compile(rb'\bt="str"')
_ANY_VALUE = re.compile(rb"<(?:\w+:)?v\b")
_ERROR_TYPE = re.compile(rb'\bt="e"')
_ERROR_MARK = b't="e"'
# A character XML 1.0 forbids (C0 controls but tab, LF, CR), raw or as a character reference:
# Excel refuses such a workbook as damaged, and so does Thanrak (calamine would read it).
_XML_FORBIDDEN = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|&#(?:0*(?:[0-8]|1[124-9]|2[0-9]|3[01])|[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]));"
)
_ERROR_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*>([^<]+)<")


class Unreadable(Exception):
    """The file cannot be read as a table; `reason` is a key of thanrak.contract.messages.
    `detail` fills the English message, `detail_th` (when the detail has words) the Thai one."""

    def __init__(self, reason: str, detail: str = "", detail_th: str | None = None):
        self.reason, self.detail = reason, detail
        self.detail_th = detail if detail_th is None else detail_th
        super().__init__(f"{reason}: {detail}")


@dataclass
class RawTable:
    header: list[str]
    columns: dict[int, pa.Array]  # position in the header -> text values (null or '' when empty)
    row_numbers: pa.Array  # int64, the row number the officer sees for each value
    encoding: str | None
    file_format: str
    total_rows_skipped: int = 0
    # position in the header -> bool per row: the value held control characters (now shown as
    # ␀ …); only the columns where a value did
    control_characters: dict[int, pa.Array] = field(default_factory=dict)


def read_table(data: bytes, filename: str, wanted: Callable[[list[str]], list[int]]) -> RawTable:
    """Reads a CSV or XLSX file. `wanted(header)` returns the header positions to keep."""
    name = filename.lower()
    if name.endswith(".csv"):
        return _read_csv(data, wanted)
    if name.endswith(".xlsx"):
        return _read_xlsx(data, wanted)
    raise Unreadable("unreadable_format", filename.rsplit("/", 1)[-1])


# ---------------------------------------------------------------------------------------------
# CSV


def _read_csv(data: bytes, wanted: Callable[[list[str]], list[int]]) -> RawTable:
    if data.endswith(_DOS_EOF):
        data = data.rstrip(_DOS_EOF)
    text = None
    if data.startswith(_UTF16_BOMS):
        text, encoding = _decode_utf16(data), "utf-16"
        utf8 = text.encode("utf-8")
    else:
        utf8, encoding = data.removeprefix(_BOM), "utf-8"
    if not utf8 or (utf8[:1].isspace() and not utf8.strip()):  # strip() copies: only when it may matter
        raise Unreadable("empty_file")
    has_controls = _check_controls(utf8)  # in UTF-8 and cp874 alike a byte below 0x20 is a control
    header_line = _first_line(utf8)  # the same cells in whichever encoding the file turns out to be
    delimiter = _sniff_delimiter(header_line, wanted)
    if text is None and not _is_utf8(utf8):  # another encoding: decode in Python to find out
        text, encoding = _decode(data)
        utf8 = text.encode("utf-8")
    try:  # most files are UTF-8: Arrow reads the bytes as they are, in C++
        header, body, count = _arrow_csv(utf8, delimiter, header_line)
    except pa.ArrowInvalid:  # a row with more or fewer cells than the header
        text = utf8.decode("utf-8") if text is None else text
        tolerant = (text,) if delimiter == "," else (text, delimiter)
        header, body, count = _read_csv_tolerant(*tolerant)
    keep = wanted(header)
    controls = _mark_controls(header, body, keep) if has_controls else {}
    markers = [body[i] for i in range(min(2, len(body)))]
    return _data_rows(
        header,
        {i: body[i] for i in keep},
        markers,
        count,
        first_row=2,
        encoding=encoding,
        fmt="csv",
        controls=controls,
    )


def _decode(data: bytes) -> tuple[str, str]:
    """UTF-8 when the bytes are UTF-8; cp874 only when they are not and read as Thai text. A
    file that is UTF-8 but for a few bad sequences is damaged UTF-8, not cp874: rejected."""
    body = data.removeprefix(_BOM)
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        first_bad = error.start
    where_en, where_th = _position(data, len(data) - len(body) + first_bad)
    # Both judgements read a sample from the first bad byte on: a whole survey file costs seconds.
    sample = body[first_bad : first_bad + _SAMPLE_BYTES]
    if data.startswith(_BOM) or _mostly_utf8(sample):
        raise Unreadable(
            "unreadable_encoding",
            f"the file is UTF-8 except at {where_en}",
            f"ไฟล์เป็น UTF-8 แต่มีไบต์ที่ไม่ใช่ UTF-8 ที่{where_th}",
        )
    try:
        text = data.decode("cp874")
    except UnicodeDecodeError as error:
        where_en, where_th = _position(data, error.start)
        raise Unreadable(
            "unreadable_encoding",
            f"neither UTF-8 nor Windows-874 at {where_en}",
            f"ไม่ใช่ทั้ง UTF-8 และ Windows-874 ที่{where_th}",
        ) from None
    if not _plausible_thai(text[: _SAMPLE_BYTES // 2]):
        raise Unreadable(
            "unreadable_encoding",
            f"not UTF-8 from {where_en}, and not Thai text when read as Windows-874",
            f"ไม่ใช่ UTF-8 ตั้งแต่{where_th} และเมื่ออ่านเป็น Windows-874 ก็ไม่ใช่ข้อความภาษาไทย",
        )
    return text, "cp874"


def _decode_utf16(data: bytes) -> str:
    try:
        return data.decode("utf-16")  # the BOM says which byte order, and is dropped
    except UnicodeDecodeError as error:
        where_en, where_th = _position(data, error.start)
        raise Unreadable(
            "unreadable_encoding",
            f"the file starts as UTF-16 but is not UTF-16 at {where_en}",
            f"ไฟล์ขึ้นต้นเป็น UTF-16 แต่ไม่ใช่ UTF-16 ที่{where_th}",
        ) from None


def _position(data: bytes, offset: int) -> tuple[str, str]:
    """Where a byte is, as an officer can find it: the line, the byte of the line, its value."""
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    value = f"0x{data[offset]:02X}" if offset < len(data) else "-"
    return (
        f"line {line}, byte {column} of the line, byte {offset + 1:,} of the file: {value}",
        f"บรรทัดที่ {line} ไบต์ที่ {column} ของบรรทัด ไบต์ที่ {offset + 1:,} ของไฟล์: {value}",
    )


def _mostly_utf8(body: bytes) -> bool:
    """Valid UTF-8 but for a few bad sequences, not text of another code page: Thai where it
    decodes as UTF-8, or far more good non-ASCII characters than bad sequences. (Thai cp874 read
    as UTF-8 gives no Thai at all and about three bad sequences per accidental good one.)"""
    lenient = body.decode("utf-8", "replace")
    bad = lenient.count("\ufffd")
    ascii_only = len(lenient.encode("ascii", "ignore"))
    thai = len(lenient.encode("cp874", "ignore")) - ascii_only
    other = len(lenient) - ascii_only - bad
    return thai >= bad or other >= 3 * bad


def _plausible_thai(text: str) -> bool:
    """cp874 bytes read as Thai: marks on consonants, leading vowels before consonants."""
    marks = len(_THAI_MARKS.findall(text))
    return len(_MISPLACED_THAI.findall(text)) <= max(3, marks // 20)  # typos allowed, not Latin-1


def _check_controls(utf8: bytes) -> bool:
    """Whether some values hold control characters (NUL …, not tab/CR/LF), in one vectorised
    pass. A file that is mostly controls or holds a zero-filled block is damaged: rejected here
    (UTF-16 without a BOM, every other byte NUL, named as such)."""
    every = np.frombuffer(utf8, np.uint8)
    below = np.empty(min(len(every), _CHUNK), np.bool_)
    controls, nuls = 0, 0
    for start in range(0, len(every), _CHUNK):  # in chunks that stay in the CPU's cache
        chunk = every[start : start + _CHUNK]
        np.less(chunk, 32, out=below[: len(chunk)])
        low = chunk[below[: len(chunk)]]
        low = low[(low != 9) & (low != 10) & (low != 13)]
        controls, nuls = controls + len(low), nuls + int(np.count_nonzero(low == 0))
    if not controls:
        return False
    if nuls * 4 > len(utf8) and _alternating_nuls(every):
        raise Unreadable(
            "unreadable_encoding",
            "UTF-16 text without a byte-order mark",
            "เป็นข้อความ UTF-16 ที่ไม่มีเครื่องหมายลำดับไบต์ (BOM)",
        )
    if controls * 100 > len(utf8) or _NUL_RUN in utf8:
        where_en, where_th = _position(utf8, _CONTROL_BYTES.search(utf8).start())
        raise Unreadable(
            "corrupt_file",
            f"binary data: {controls:,} control bytes such as NUL, the first at {where_en}; it "
            "was damaged in copying or is not a text file: export it again as CSV UTF-8",
            f"มีข้อมูลไบนารี: อักขระควบคุม เช่น NUL {controls:,} ตัว ตัวแรกที่{where_th} "
            "ไฟล์อาจเสียระหว่างคัดลอกหรือไม่ใช่ไฟล์ข้อความ กรุณาบันทึกเป็น CSV UTF-8 ใหม่",
        )
    return True


def _alternating_nuls(every: np.ndarray) -> bool:
    """NUL at every other byte, the same parity almost always: ASCII written as UTF-16."""
    even, odd = np.count_nonzero(every[0::2] == 0), np.count_nonzero(every[1::2] == 0)
    return max(even, odd) > 10 * min(even, odd)


def _first_line(utf8: bytes) -> str:
    """The header line, decoded well enough to sniff its delimiter."""
    line = utf8[: 1 << 16].split(b"\n", 1)[0].split(b"\r", 1)[0]
    for encoding in ("utf-8", "cp874"):
        try:
            return line.decode(encoding)
        except UnicodeDecodeError:
            continue
    return line.decode("latin-1")


def _sniff_delimiter(line: str, wanted: Callable[[list[str]], list[int]]) -> str:
    """The delimiter of the header line: of `,` `;` tab `|`, the one whose cells are most of the
    contract's headers (a comma when none gives any, so the header is reported as it is)."""
    present = [d for d in _DELIMITERS if d in line]
    if len(present) <= 1:
        return present[0] if present else ","
    fits = {d: len(wanted(next(csv.reader([line], delimiter=d), []))) for d in present}
    best = max(present, key=lambda d: (fits[d], d == ","))
    return best if fits[best] else ","


def _mark_controls(header: list[str], body: dict[int, pa.Array], keep: list[int]) -> dict[int, pa.Array]:
    """Shows the control characters of the kept values as ␀ …, so that no NUL reaches a value,
    and says which values held one. A control character in the header: the file is damaged."""
    if any(re.search(_CONTROL, cell) for cell in header):
        raise Unreadable(
            "corrupt_file",
            "control characters such as NUL in the header line: save the file again as CSV UTF-8",
            "หัวตารางมีอักขระควบคุม เช่น NUL กรุณาบันทึกไฟล์เป็น CSV UTF-8 ใหม่",
        )
    marked = {}
    for i in sorted({*keep, *range(min(2, len(body)))}):
        values = body[i]
        has = pc.fill_null(pc.match_substring_regex(values, _CONTROL), False)
        if not pc.any(has).as_py():
            continue
        shown = [v.translate(_CONTROL_PICTURES) for v in pc.filter(values, has).to_pylist()]
        body[i] = pc.replace_with_mask(values, has, pa.array(shown, pa.string()))
        marked[i] = has
    return marked


def _is_utf8(data: bytes) -> bool:
    """Whether the bytes are UTF-8, checked by Arrow's string cast in one pass (about 3x
    faster than Arrow's check while parsing the CSV, and Python's decode, issue 13)."""
    offsets = pa.py_buffer(np.array([0, len(data)], np.int64).tobytes())
    whole = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        whole.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _arrow_csv(utf8: bytes, delimiter: str, header_line: str) -> tuple[list[str], dict[int, pa.Array], int]:
    """Every cell as text, read by Arrow from bytes known to be UTF-8. The columns are declared
    text up front (from the header line's cells, with room to spare): inferring types and then
    casting back to text cost twice the parse (issue 13)."""
    cells = len(next(csv.reader([header_line], delimiter=delimiter), []))
    table = pa_csv.read_csv(
        io.BytesIO(utf8),
        read_options=pa_csv.ReadOptions(autogenerate_column_names=True, block_size=1 << 24),
        parse_options=pa_csv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={f"f{i}": pa.string() for i in range(2 * cells + 16)},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            auto_dict_encode=False,
            check_utf8=False,
            null_values=[],
        ),
    )
    if any(field.type != pa.string() for field in table.schema):  # a header line with a line break
        table = table.cast(pa.schema([(f.name, pa.string()) for f in table.schema]))
    columns = [table.column(i).combine_chunks() for i in range(table.num_columns)]
    header = [str(column[0]) for column in columns]
    return header, {i: column.slice(1) for i, column in enumerate(columns)}, table.num_rows - 1


def _read_csv_tolerant(text: str, delimiter: str = ",") -> tuple[list[str], dict[int, pa.Array], int]:
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise Unreadable("corrupt_file", str(error)) from error
    if not lines:
        raise Unreadable("empty_file")
    header, rows = lines[0], lines[1:]
    body = {i: pa.array([r[i] if i < len(r) else "" for r in rows], pa.string()) for i in range(len(header))}
    return header, body, len(rows)


def _visible_rows(columns: list[pa.Array]) -> pa.Array:
    """A row is data when any kept cell holds something visible. The first column settles most
    rows (a key is rarely empty); only the others' rows are joined across every column and
    searched, instead of joining all 46 columns of every row (issue 13: 4x on a survey file)."""
    keep = pc.fill_null(pc.match_substring_regex(columns[0], _VISIBLE), False)
    undecided = pc.invert(keep)
    if len(columns) > 1 and pc.any(undecided).as_py():
        at = pc.indices_nonzero(undecided)
        rest = [pc.fill_null(pc.take(values, at), "") for values in columns[1:]]
        found = pc.fill_null(
            pc.match_substring_regex(pc.binary_join_element_wise(*rest, ""), _VISIBLE), False
        )
        keep = pc.replace_with_mask(keep, undecided, found)
    return keep


def _data_rows(
    header: list[str],
    body: dict[int, pa.Array],
    markers: list[pa.Array],
    count: int,
    *,
    first_row: int,
    encoding,
    fmt,
    controls: dict[int, pa.Array] | None = None,
) -> RawTable:
    """Drops blank rows and total rows; row numbers keep counting them."""
    controls = {i: has for i, has in (controls or {}).items() if i in body}
    numbers = pa.array(range(first_row, first_row + count), pa.int64())
    keep = None
    if body:
        keep = _visible_rows(list(body.values()))
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
        controls = {i: pc.filter(has, keep) for i, has in controls.items()}
    if len(numbers) == 0:
        raise Unreadable("empty_file")
    return RawTable(header, body, numbers, encoding, fmt, totals, controls)


# ---------------------------------------------------------------------------------------------
# XLSX


def _read_xlsx(data: bytes, wanted: Callable[[list[str]], list[int]]) -> RawTable:
    """A workbook through python-calamine (Rust: 15x openpyxl on a 20k-row sheet, issue 13).
    calamine reads an error cell (#REF!, #VALUE!) as empty, which would make a broken formula
    a blank value: error cells are taken from the sheet's XML instead, like formulas whose
    value was never saved (which reject the file)."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        best = None  # (matched columns, sheet, header row index, header)
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            for index, row in enumerate(sheet.to_python(skip_empty_area=False, nrows=_HEADER_SEARCH_ROWS)):
                header = [clean(_cell_text(v)) for v in row]
                keep = wanted(header)
                if keep and (best is None or len(keep) > len(best[0])):
                    best = (keep, sheet, index, header)
        if best is None:
            raise Unreadable("corrupt_file", "no sheet has the template's column headers")
        keep, sheet, header_index, header = best
        first_data = header_index + 2  # 1-based row number of the first row under the header
        table = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except Unreadable:
        raise
    except Exception as error:  # noqa: BLE001 - any failure of the parser on these bytes: not a workbook
        # (a bad zip, zlib, XML with characters XML forbids, parts missing or of the wrong type)
        raise Unreadable("corrupt_file", f"not a readable .xlsx workbook: {type(error).__name__}") from error
    errors = _check_sheet_xml(data, sheet.name, first_data, keep)
    width = max([len(header), *(len(r) for r in table)])
    # Most cells are text already: only the others go through _cell_text (920k cells a sheet).
    texts = [[v if type(v) is str else _cell_text(v) for v in r] + [""] * (width - len(r)) for r in table]
    for (row, column), shown in errors.items():  # the error text, as Excel shows it
        if row <= len(texts):
            texts[row - 1][column] = shown
    _fill_merged_cells(texts, merged)
    rows = texts[first_data - 1 :]
    body = {i: pa.array([r[i] for r in rows], pa.string()) for i in range(width)}
    controls = _mark_controls([], body, keep)
    markers = [body[i] for i in range(min(2, width))]
    return _data_rows(
        header,
        {i: body[i] for i in keep},
        markers,
        len(rows),
        first_row=first_data,
        encoding=None,
        fmt="xlsx",
        controls=controls,
    )


def _sheet_part(archive: zipfile.ZipFile, title: str) -> str | None:
    """The zip member of the worksheet named `title` (workbook.xml names it, its relationships
    say where it is)."""
    import xml.etree.ElementTree as ET

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    relation = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    workbook = ET.fromstring(archive.read("xl/workbook.xml"))
    rid = next((s.get(relation) for s in workbook.iter(f"{main}sheet") if s.get("name") == title), None)
    links = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in links if r.get("Id") == rid), None)
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _check_sheet_xml(data: bytes, title: str, first_data: int, keep: list[int]) -> dict[tuple[int, int], str]:
    """Reads what calamine does not tell from the sheet's XML. A formula whose value Excel never
    saved (a workbook written by a program and not opened in Excel since) would read as an empty
    cell: the file is rejected, naming the cells. Returns the error cells of the kept columns
    under the header, (row, column position) -> the error as Excel shows it (#REF!)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = _sheet_part(archive, title)
            xml = archive.read(part) if part else b""
            names = set(archive.namelist())
            shared = archive.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in names else b""
    except (KeyError, zipfile.BadZipFile, SyntaxError):
        return {}
    if any(
        _CONTROL_BYTES.search(part) or (b"&#" in part and _XML_FORBIDDEN.search(part))
        for part in (xml, shared)
    ):
        raise Unreadable(
            "corrupt_file", "not a readable .xlsx workbook: a cell holds a character XML forbids"
        )
    columns = {_column_letters(i): i for i in keep}
    if any(mark in xml for mark in _FORMULA_MARKS) and _FORMULA.search(xml):
        missing = []
        for attributes, content in _FORMULA_CELLS.findall(xml):
            ref = _CELL_REF.search(attributes)
            if not ref or not _FORMULA.search(content) or _CACHED_VALUE.search(content):
                continue
            if _TEXT_RESULT.search(attributes) and _ANY_VALUE.search(content):
                continue
            if ref[1].decode() in columns and int(ref[2]) >= first_data:
                missing.append(ref[1].decode() + ref[2].decode())
        if missing:
            shown = ", ".join(missing[:5]) + (f" … ({len(missing):,})" if len(missing) > 5 else "")
            raise Unreadable("formula_without_value", shown)
    errors = {}
    for attributes, content in _error_cells(xml):
        ref, value = _CELL_REF.search(attributes), _ERROR_VALUE.search(content)
        if not (_ERROR_TYPE.search(attributes) and ref and value) or ref[1].decode() not in columns:
            continue
        if int(ref[2]) >= first_data:
            errors[int(ref[2]), columns[ref[1].decode()]] = value[1].decode()
    return errors


def _error_cells(xml: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(attributes, content) of each cell typed as an error (t="e"), found from the mark itself:
    matching every cell of the sheet to find the few errors cost 0.8 s on a 4,600-row sheet."""
    at = xml.find(_ERROR_MARK)
    while at != -1:
        cell = _FORMULA_CELLS.match(xml, xml.rfind(b"<", 0, at))  # the mark sits in the cell's tag
        if cell:
            yield cell[1], cell[2]
        at = xml.find(_ERROR_MARK, at + len(_ERROR_MARK))


def _column_letters(position: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _fill_merged_cells(texts: list[list[str]], merged) -> None:
    """A merged range holds its value in the top-left cell only; every cell of it means it.
    `merged`: calamine's ((first row, first column), (last row, last column)), 0-based."""
    for (top, left), (bottom, right) in merged:
        if top >= len(texts):
            continue
        value = texts[top][left] if left < len(texts[top]) else ""
        for row in texts[top : bottom + 1]:
            row[left : right + 1] = [value] * len(row[left : right + 1])


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
