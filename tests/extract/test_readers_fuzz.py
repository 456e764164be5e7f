"""Property-based tests (hypothesis) of the readers and of `thanrak check`, issue 11.

Random bytes, valid files of every dataset mutated byte by byte, and files built from random
Thai/ASCII text in random encodings and delimiters must never make `extract` raise anything but
FileRejected, nor `check_file` anything at all; when a file is read, every data line written is
a row (blank and total lines aside), each row good or with its reasons, and no control character
reaches a value.

Deterministic for CI (`derandomize=True`, no example database). Profiles: `ci` (the default, a
few thousand examples in all, well under a minute here) and `thorough` (ten times as many, for a
night's run: THANRAK_FUZZ_PROFILE=thorough)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import openpyxl
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from thanrak.contract.declarations import DATASETS, load_contract
from thanrak.contract.messages import MESSAGES
from thanrak.demo.generator import example_csv
from thanrak.extract.frame import AS_TYPED, PROBLEMS, SOURCE_ROW, Extracted, FileRejected, extract
from thanrak.extract.readers import TOTAL_MARKERS
from thanrak.thai.text import clean, normalise_header
from thanrak.validate.check import check_file
from thanrak.validate.validation import province_areas_from_geothai, validate

settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("thorough", parent=settings.get_profile("ci"), derandomize=False)
PROFILE = os.environ.get("THANRAK_FUZZ_PROFILE", "ci")
SCALE = 10 if PROFILE == "thorough" else 1


def examples(n: int):
    """This test's share of the run: n examples in CI, ten times as many when thorough."""
    return settings(settings.get_profile(PROFILE), max_examples=n * SCALE)


CONTRACTS = {dataset: load_contract(dataset) for dataset in DATASETS}
BUDGET = CONTRACTS["budget_disbursement"]
PERIOD = "2026-11"  # example_csv writes province 30's rows of November 2569
AREAS = province_areas_from_geothai("30")
SEEDS = {dataset: example_csv(contract, rows=12) for dataset, contract in CONTRACTS.items()}
SEED_ROWS = {dataset: len(text.split("\n")) - 1 for dataset, text in SEEDS.items()}  # below the header
ENCODINGS = ["utf-8", "utf-8-sig", "cp874", "utf-16"]
DELIMITERS = [",", ";", "\t", "|"]
CONTROLS = "".join(chr(c) for c in range(32) if c not in (9, 10, 13))
_CONTROL = re.compile(f"[{re.escape(CONTROLS)}]")
PICTURES = {c: 0x2400 + c for c in range(32) if c not in (9, 10, 13)}


def assert_sound(extracted: Extracted, contract) -> None:
    """What every accepted read promises, whatever the bytes were."""
    frame = extracted.frame
    typed_text = {c for c in frame.columns if c.startswith(AS_TYPED)}
    assert sorted(set(frame.columns) - typed_text) == sorted([*contract.column_names, SOURCE_ROW, PROBLEMS])
    assert {c[len(AS_TYPED) :] for c in typed_text} <= set(contract.column_names)
    assert extracted.rows == len(frame) > 0
    rows = frame[SOURCE_ROW].tolist()
    assert rows == sorted(set(rows)) and rows[0] >= 2
    for found in frame[PROBLEMS].dropna():
        for problem in json.loads(found):
            assert problem["rule"] in MESSAGES
            assert problem["message_th"] and problem["message_en"]
            assert problem["column"] in contract.column_names
    for column in contract.column_names:
        for value in frame[column].dropna():
            if isinstance(value, str):
                assert not _CONTROL.search(value), (column, value)


def read(data: bytes, name: str, contract) -> Extracted | None:
    """extract, where FileRejected (with both messages) is the only exception allowed."""
    try:
        extracted = extract(data, name, contract)
    except FileRejected as rejected:
        assert rejected.message_th and rejected.message_en and rejected.reason in MESSAGES
        return None
    assert_sound(extracted, contract)
    return extracted


def encoded(text: str, encoding: str) -> bytes:
    return text.encode(encoding, "ignore") if encoding == "cp874" else text.encode(encoding)


# ---------------------------------------------------------------------------------------------
# Random bytes


@examples(600)
@given(
    data=st.binary(max_size=3000),
    name=st.sampled_from(["x.csv", "x.xlsx", "x.CSV"]),
    dataset=st.sampled_from(DATASETS),
)
def test_random_bytes_never_raise_anything_but_a_rejection(data, name, dataset):
    read(data, name, CONTRACTS[dataset])


@examples(300)
@given(
    prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04"]),
    body=st.text(max_size=400),
    dataset=st.sampled_from(DATASETS),
)
def test_random_text_behind_a_bom_or_zip_signature_never_raises(prefix, body, dataset):
    header = SEEDS[dataset].split("\n", 1)[0]
    data = prefix + (header + "\n" + body).encode("utf-8", "surrogatepass")
    read(data, "x.csv", CONTRACTS[dataset])
    read(data, "x.xlsx", CONTRACTS[dataset])


# ---------------------------------------------------------------------------------------------
# Valid files, mutated


mutation = st.one_of(
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 40)),
    st.tuples(st.just("replace"), st.floats(0, 1), st.integers(0, 255)),
    st.tuples(st.just("control"), st.floats(0, 1), st.sampled_from(CONTROLS.encode())),
    st.tuples(st.just("truncate"), st.floats(0, 1), st.just(0)),
)


def mutate(data: bytes, mutations: list[tuple]) -> bytes:
    for kind, where, what in mutations:
        at = int(where * len(data))
        if kind == "insert":
            data = data[:at] + what + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + what :]
        elif kind == "replace" and at < len(data):
            data = data[:at] + bytes([what]) + data[at + 1 :]
        elif kind == "control":
            data = data[:at] + bytes([what]) + data[at:]
        elif kind == "truncate":
            data = data[: max(at, 1)]
    return data


def seed_file(dataset: str, encoding: str, delimiter: str) -> bytes:
    rows = [next(csv.reader([line])) for line in SEEDS[dataset].split("\n")]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return encoded(out.getvalue(), encoding)


def test_every_seed_file_is_read_whole_in_every_encoding_and_delimiter():
    for dataset, contract in CONTRACTS.items():
        for encoding in ENCODINGS:
            for delimiter in DELIMITERS:
                extracted = read(seed_file(dataset, encoding, delimiter), "x.csv", contract)
                # 12 rows, or all a month has (the two Pracharath bodies' meetings)
                assert extracted is not None and extracted.rows == SEED_ROWS[dataset], (
                    dataset,
                    encoding,
                    delimiter,
                )


@examples(900)
@given(
    dataset=st.sampled_from(DATASETS),
    encoding=st.sampled_from(ENCODINGS),
    delimiter=st.sampled_from(DELIMITERS),
    mutations=st.lists(mutation, min_size=1, max_size=4),
)
def test_mutated_csv_files_never_raise_anything_but_a_rejection(dataset, encoding, delimiter, mutations):
    read(mutate(seed_file(dataset, encoding, delimiter), mutations), "x.csv", CONTRACTS[dataset])


def _workbook(rows: list[list[object]], header: list[str], banner: bool) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if banner:
        sheet.append(["แบบรายงาน จังหวัดนครราชสีมา"])
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_SEED = _workbook(
    [next(csv.reader([line])) for line in SEEDS["budget_disbursement"].split("\n")[1:]],
    [c.th for c in BUDGET.columns],
    banner=True,
)


@examples(250)
@given(mutations=st.lists(mutation, min_size=1, max_size=3))
def test_mutated_workbooks_never_raise_anything_but_a_rejection(mutations):
    read(mutate(XLSX_SEED, mutations), "x.xlsx", BUDGET)


# ---------------------------------------------------------------------------------------------
# Files built from random text: every line accounted for, free text as typed


# Thai as it is typed: syllables of a leading vowel, a consonant, a vowel above or below and a
# tone mark (any of them doubled at times, a common typo), Thai digits, sara am in both spellings.
_CONSONANTS = "".join(chr(c) for c in range(0x0E01, 0x0E2F))
thai_syllable = st.tuples(
    st.sampled_from(["", "", "เ", "แ", "โ", "ใ", "ไ", "เเ"]),
    st.sampled_from(_CONSONANTS),
    st.sampled_from(["", "", "ั", "ิ", "ี", "ึ", "ื", "ุ", "ู", "ุุ", "็", "์"]),
    st.sampled_from(["", "", "่", "้", "๊", "๋"]),
    st.sampled_from(["", "", "า", "ะ", "ำ", "\u0e4d\u0e32", "ๆ", "ฯ"]),
).map("".join)
thai_digits = st.text(st.sampled_from("๐๑๒๓๔๕๖๗๘๙"), min_size=1, max_size=3)
ascii_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=6)
separators = st.sampled_from([" ", "  ", "\u200b", "\u00a0", "\n", ",", ";", "|", "\t", '"', "'"])
free_text = st.lists(st.one_of(thai_syllable, thai_digits, ascii_text, separators), max_size=8).map("".join)


@st.composite
def budget_files(draw):
    """A budget file: rows of the seed with a random project name (at times holding a control
    character), blank lines and total lines among them, in a random encoding and delimiter."""
    seed = [next(csv.reader([line])) for line in SEEDS["budget_disbursement"].split("\n")]
    header, rows = seed[0], seed[1:]
    encoding = draw(st.sampled_from(ENCODINGS))
    delimiter = draw(st.sampled_from(DELIMITERS))
    lines, expected = [header], {}  # line number -> the project name the row must hold
    for number in range(draw(st.integers(1, 25))):
        kind = draw(st.sampled_from(["data"] * 6 + ["blank", "total"]))
        if kind == "blank":
            lines.append([""] * len(header) if draw(st.booleans()) else [])
            continue
        if kind == "total":
            lines.append(["", draw(st.sampled_from(sorted(TOTAL_MARKERS))), "", "", "1000", "0", "0", "0"])
            continue
        name = draw(free_text)
        if draw(st.integers(0, 9)) == 0:
            at = draw(st.integers(0, len(name)))
            name = name[:at] + draw(st.sampled_from(CONTROLS)) + name[at:]
        assume(not _total_marker(name, encoding))
        row = list(rows[number % len(rows)])
        row[0] = f"P-{number:04d}"  # keys stay unique
        row[1] = name
        lines.append(row)
        expected[len(lines)] = name
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\r\n", "\n"]))).writerows(
        lines
    )
    text = out.getvalue()
    return encoded(text, encoding), expected, encoding, len(text.encode("utf-8"))


def _as_sent(name: str, encoding: str) -> str:
    """The name as the file holds it (cp874 cannot hold every character), controls shown."""
    if encoding == "cp874":
        name = name.encode("cp874", "ignore").decode("cp874")
    return name.translate(PICTURES)


def _total_marker(name: str, encoding: str) -> bool:
    """Whether the reader takes the name (the second cell) for a total row's marker."""
    sent = _as_sent(name, encoding)
    return (
        re.sub(r"[\t\n\f\r ._:]", "", sent.lower()) in TOTAL_MARKERS
        or normalise_header(sent) in TOTAL_MARKERS
    )


def _as_stored(name: str, encoding: str) -> str | None:
    return clean(_as_sent(name, encoding), digits=False) or None


@examples(700)
@given(file=budget_files())
def test_every_data_line_written_is_a_row_with_its_text_as_typed(file):
    _read_accounted(file)


@examples(120)
@given(file=budget_files())
def test_validation_keeps_or_quarantines_every_row_read(file):
    extracted = _read_accounted(file)
    if extracted is None:
        return
    frame = extracted.frame
    checked = validate(frame, BUDGET, period=PERIOD, areas=AREAS)
    if checked.rejection is None:  # received = kept + quarantined: no row lost in validation
        quarantined = int(checked.bad_rows.sum())
        kept = int((~checked.bad_rows).sum())
        assert kept + quarantined == extracted.rows == frame[SOURCE_ROW].nunique()
        assert checked.bad_rows[frame[PROBLEMS].notna().to_numpy()].all()  # read problems held back


def _read_accounted(file) -> Extracted | None:
    data, expected, encoding, utf8_size = file
    assume(expected)  # a file of blank and total lines only is empty, and rejected as such
    extracted = read(data, "x.csv", BUDGET)
    if extracted is None:  # only a file mostly made of control characters may be refused
        controls = sum(name.count(c) for name in expected.values() for c in CONTROLS)
        assert controls * 100 > min(len(data), utf8_size), expected
        return None
    frame = extracted.frame
    assert frame[SOURCE_ROW].tolist() == list(expected)  # nothing dropped, nothing added
    for row, name, problems in zip(frame[SOURCE_ROW], frame["project_name"], frame[PROBLEMS], strict=True):
        typed = expected[row]
        stored = None if pd.isna(name) else name
        assert stored == _as_stored(typed, encoding), (typed, stored)
        held = _CONTROL.search(typed) is not None
        rules = set() if pd.isna(problems) else {p["rule"] for p in json.loads(problems)}
        assert ("control_character" in rules) == held
    return extracted


@examples(150)
@given(
    rows=st.lists(
        st.lists(st.one_of(free_text, st.integers(-(10**6), 10**6), st.none()), max_size=9), max_size=12
    ),
    banner=st.booleans(),
)
def test_workbooks_of_random_cells_never_raise_and_keep_every_data_row(rows, banner):
    rows = [[_CONTROL.sub("", v) if isinstance(v, str) else v for v in row] for row in rows]
    extracted = read(_workbook(rows, [c.th for c in BUDGET.columns], banner), "x.xlsx", BUDGET)
    if extracted is not None:
        assert extracted.rows <= len(rows)


# ---------------------------------------------------------------------------------------------
# thanrak check: always a verdict


@examples(250)
@given(
    source=st.one_of(
        st.binary(max_size=1500).map(lambda data: (data, "csv")),
        st.tuples(
            st.sampled_from(DATASETS),
            st.sampled_from(ENCODINGS),
            st.sampled_from(DELIMITERS),
            st.lists(mutation, max_size=3),
        ).map(
            lambda t: (
                mutate(seed_file(t[0], t[1], t[2]), t[3]) if t[3] else seed_file(t[0], t[1], t[2]),
                "csv",
            )
        ),
        st.lists(mutation, max_size=2).map(lambda m: (mutate(XLSX_SEED, m) if m else XLSX_SEED, "xlsx")),
    ),
    dataset=st.sampled_from(DATASETS),
)
def test_check_file_always_returns_a_verdict(source, dataset, tmp_path_factory):
    data, extension = source
    path = Path(tmp_path_factory.mktemp("check")) / "30" / dataset / PERIOD / f"file.{extension}"
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    result = check_file(path, dataset=dataset, province="30", period=PERIOD)
    assert result.verdict in ("accepted", "rows_quarantined", "rejected")
    assert result.exit_code in (0, 1, 2) and result.lines
