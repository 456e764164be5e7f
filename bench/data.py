"""A fast, vectorised generator of valid household-survey (bmn_households) files for the load
benchmark. thanrak.demo.generator builds rows one dict at a time, with defects: right for tests,
far too slow for ten million rows. Here every column is a numpy/Arrow array and every file is
written by Arrow's C++ CSV writer.

Each provincial file is written twice, with the same rows in the same order:
  - as a province sends it: UTF-8, Thai headers from the contract, flags as ผ่าน/ไม่ผ่าน;
  - clean, for raw COPY: no header, canonical values (true/false, plain numbers, codes), the
    columns of raw.bmn_households without its lineage columns, in the contract's order.

    python -m bench.data --rows 1e6 --check 3
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import geothai
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from thanrak.contract.declarations import Contract, load_contract
from thanrak.extract.frame import extract
from thanrak.settings import PROJECT_ROOT
from thanrak.validate.validation import ProvinceAreas, validate
from thanrak.warehouse.reference import BANGKOK

DATASET = "bmn_households"
PERIOD = "2026-11"  # the month folder the survey files land in
SURVEY_YEAR = 2569  # BE, i.e. 2026
MAX_ROWS_PER_FILE = 170_000  # about one large province's yearly survey
DEFAULT_DATA_DIR = PROJECT_ROOT / "var" / "bench"
_FORMAT_VERSION = 2  # bump when the generated content changes, so cached data is rebuilt
_HEX = np.frombuffer(b"0123456789abcdef", np.uint8)
_NO_QUOTES = pa_csv.WriteOptions(include_header=False, quoting_style="none")


@dataclass(frozen=True)
class BenchFile:
    """One provincial file and its clean twin."""

    province: str
    rows: int
    key: str  # path inside the landing folder: <province>/bmn_households/<period>/<name>.csv
    landing_path: Path
    clean_path: Path


@dataclass(frozen=True)
class BenchData:
    """Every file of one benchmark size."""

    rows: int
    landing: Path
    files: tuple[BenchFile, ...]


def cdd_provinces() -> list[str]:
    """The provinces of the CDD network (every province but Bangkok), as ref.province has them."""
    return sorted(p.code for p in geothai.provinces() if p.code != BANGKOK)


def tambon_codes(province: str) -> list[str]:
    """The province's tambon codes, from geothai as ref.tambon is."""
    return [s.code for d in geothai.districts(province) for s in geothai.subdistricts(d.code)]


def areas_of(province: str) -> ProvinceAreas:
    """The province's codes, as thanrak.validate.validation.province_areas reads them from ref."""
    amphoes = sorted(d.code for d in geothai.districts(province))
    return ProvinceAreas(province, tuple(amphoes), tuple(sorted(tambon_codes(province))))


def generate(rows: int, folder: Path, *, seed: int = 2569) -> BenchData:
    """Writes `rows` valid rows under `folder`, in files of at most MAX_ROWS_PER_FILE rows, one
    province per file. Reuses what an earlier call with the same rows and seed wrote."""
    manifest = folder / "manifest.json"
    wanted = {"format": _FORMAT_VERSION, "rows": rows, "seed": seed}
    if manifest.exists():
        saved = json.loads(manifest.read_text())
        if {k: saved.get(k) for k in wanted} == wanted:
            return _from_manifest(saved)
    # Files left by another version or size would be discovered too.
    for stale in (folder / "landing", folder / "clean"):
        shutil.rmtree(stale, ignore_errors=True)
    contract = load_contract(DATASET)
    provinces = cdd_provinces()
    n_files = math.ceil(rows / MAX_ROWS_PER_FILE)
    if n_files > len(provinces):
        raise ValueError(f"{rows} rows need {n_files} files; only {len(provinces)} provinces")
    chosen = [provinces[i * len(provinces) // n_files] for i in range(n_files)]  # spread out
    sizes = [rows // n_files + (i < rows % n_files) for i in range(n_files)]
    files = []
    for index, (province, size) in enumerate(zip(chosen, sizes, strict=True)):
        key = f"{province}/{DATASET}/{PERIOD}/bmn_{province}_{SURVEY_YEAR}.csv"
        bench_file = BenchFile(
            province, size, key, folder / "landing" / key, folder / "clean" / f"{province}.csv"
        )
        table = households(np.random.default_rng([seed, index]), tambon_codes(province), size, contract)
        write_provincial(table, bench_file.landing_path, contract)
        write_clean(table, bench_file.clean_path)
        files.append(bench_file)
    data = BenchData(rows, folder / "landing", tuple(files))
    manifest.write_text(json.dumps({**wanted, **_to_manifest(data)}, indent=1))
    return data


def households(rng: np.random.Generator, tambons: list[str], n: int, contract: Contract) -> pa.Table:
    """`n` valid rows of one province, typed as raw.bmn_households has them."""
    # Most households are of the survey year, on its 38-item tool (2566-70); a tenth are of 2565,
    # on that year's 31-item tool (contract rules tool_of_survey_year, items_of_tool), so that
    # blank item columns are loaded too.
    indicator_count = np.where(rng.random(n) < 0.9, 38, 31)
    members = (1 + rng.binomial(6, 0.35, n)).astype(np.int32)
    income_satang = _satang(np.clip(rng.lognormal(np.log(75_000), 0.55, n), 3_000, 2_000_000))
    columns = {
        "household_hash": _sha256_hex(rng, n),
        "village_code": pc.binary_join_element_wise(
            pa.array(tambons).take(rng.integers(0, len(tambons), n)),
            pa.array([f"{v:02d}" for v in range(1, 21)]).take(rng.integers(0, 20, n)),
            "",
        ),
        "survey_year": pa.array(np.where(indicator_count == 38, SURVEY_YEAR, 2565).astype(np.int32)),
        "indicator_set": pa.array(np.where(indicator_count == 38, "2566-70", "2560-64")),
        "members": pa.array(members),
        "income_per_person_baht": _baht(income_satang),
        "savings_baht": _baht(
            _satang(np.where(rng.random(n) < 0.1, 0, np.clip(rng.lognormal(np.log(30_000), 1.2, n), 0, 5e6))),
            missing=rng.random(n) < 0.2,
        ),
    }
    pass_rates = rng.uniform(0.75, 0.99, 38)
    for number in range(1, 39):
        columns[f"indicator_{number:02d}"] = pa.array(
            rng.random(n) < pass_rates[number - 1], mask=indicator_count < number
        )
    # Exactly income per person x members (the per_member rule), left blank by some households.
    columns["household_income_baht"] = _baht(income_satang * members, missing=rng.random(n) < 0.15)
    if list(columns) != contract.column_names:
        raise AssertionError("the generator's columns drifted from the contract")
    return pa.table(columns)


def previous_survey(rng: np.random.Generator, table: pa.Table, share: float) -> pa.Table:
    """`share` of the households of `table` as surveyed the year before, valid under the contract:
    the same household hash and village, the survey year one earlier on that year's tool (2569 ->
    2568 on 2566-70, 2565 -> 2564 on 2560-64), other answers: income per person moved by a
    lognormal factor (about -5 % on average, so some households cross the threshold), one
    household in ten with a member more or fewer, one asked item in ten answered the other way,
    household income again exactly income per person x members (blank for 15 %)."""
    earlier = table.filter(pa.array(rng.random(table.num_rows) < share))
    n = earlier.num_rows
    columns = {name: earlier[name].combine_chunks() for name in earlier.column_names}
    columns["survey_year"] = pc.subtract(columns["survey_year"], 1).cast(pa.int32())
    moved = np.where(rng.random(n) < 0.1, rng.choice(np.array([-1, 1]), n), 0)
    members = np.clip(columns["members"].to_numpy() + moved, 1, 40).astype(np.int32)
    columns["members"] = pa.array(members)
    income = _satang(
        np.clip(_to_baht(columns["income_per_person_baht"]) * rng.lognormal(-0.05, 0.25, n), 3_000, 2_000_000)
    )
    columns["income_per_person_baht"] = _baht(income)
    for number in range(1, 39):
        name = f"indicator_{number:02d}"  # blank (not asked) stays blank
        columns[name] = pc.if_else(pa.array(rng.random(n) < 0.1), pc.invert(columns[name]), columns[name])
    columns["household_income_baht"] = _baht(income * members, missing=rng.random(n) < 0.15)
    return pa.table(columns)


def revised(rng: np.random.Generator, table: pa.Table, share: float) -> tuple[pa.Table, int]:
    """The same file sent again with `share` of its rows corrected (a new revision): their income
    per person moved by a lognormal factor, household income again income per person x members
    where it was given. Returns the revised rows and how many changed."""
    changed = rng.random(table.num_rows) < share
    income = _satang(_to_baht(table["income_per_person_baht"]))
    income = np.where(
        changed, _satang(np.clip(income / 100 * rng.lognormal(0, 0.3, len(income)), 3_000, 2_000_000)), income
    )
    members = table["members"].to_numpy()
    total = table["household_income_baht"]
    columns = {name: table[name] for name in table.column_names}
    columns["income_per_person_baht"] = _baht(income)
    columns["household_income_baht"] = _baht(
        income * members, missing=pc.is_null(total).to_numpy(zero_copy_only=False)
    )
    return pa.table(columns), int(changed.sum())


def _to_baht(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """numeric(16, 2) as float baht (exact to the satang at these sizes)."""
    return column.cast(pa.float64()).to_numpy()


def _sha256_hex(rng: np.random.Generator, n: int) -> pa.Array:
    """Random 256-bit values as 64 lowercase hex digits: what a SHA-256 of a house ID looks like."""
    digest = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    text = np.empty((n, 64), np.uint8)
    text[:, 0::2], text[:, 1::2] = _HEX[digest >> 4], _HEX[digest & 15]
    offsets = np.arange(0, 64 * (n + 1), 64, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(text))


def _satang(baht: np.ndarray) -> np.ndarray:
    return np.round(baht * 100).astype(np.int64)


def _baht(satang: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Whole satang as numeric(16, 2) (the cast rounds the float back to exact satang)."""
    return pa.array(satang / 100, mask=missing).cast(pa.decimal128(16, 2), safe=False)


def write_provincial(table: pa.Table, path: Path, contract: Contract) -> None:
    """The file as a province sends it: Thai headers, flags as ผ่าน/ไม่ผ่าน, blank when not asked."""
    flags = {c.name for c in contract.columns if c.type == "flag"}
    texts = [
        pc.if_else(table[c.name], "ผ่าน", "ไม่ผ่าน") if c.name in flags else table[c.name]
        for c in contract.columns
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        out.write((",".join(c.th for c in contract.columns) + "\n").encode())
        pa_csv.write_csv(pa.table(texts, names=[c.th for c in contract.columns]), out, _NO_QUOTES)


def write_clean(table: pa.Table, path: Path) -> None:
    """The same rows for COPY ... (FORMAT csv): no header, canonical values, empty = NULL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        pa_csv.write_csv(table, out, _NO_QUOTES)


def _to_manifest(data: BenchData) -> dict:
    return {
        "landing": str(data.landing),
        "files": [
            {**asdict(f), "landing_path": str(f.landing_path), "clean_path": str(f.clean_path)}
            for f in data.files
        ],
    }


def _from_manifest(saved: dict) -> BenchData:
    files = tuple(
        BenchFile(**{**f, "landing_path": Path(f["landing_path"]), "clean_path": Path(f["clean_path"])})
        for f in saved["files"]
    )
    return BenchData(saved["rows"], Path(saved["landing"]), files)


def check(data: BenchData, sample: int) -> None:
    """Runs Thanrak's extract + validate on `sample` files spread over the set; raises unless
    every row passes (no quarantined row, no rejected file), so every path loads the same rows."""
    contract = load_contract(DATASET)
    picked = {data.files[i * len(data.files) // sample] for i in range(min(sample, len(data.files)))}
    for bench_file in sorted(picked, key=lambda f: f.key):
        extracted = extract(bench_file.landing_path.read_bytes(), bench_file.key, contract)
        checked = validate(extracted.frame, contract, period=PERIOD, areas=areas_of(bench_file.province))
        bad = int(checked.bad_rows.sum())
        if checked.rejection or bad or extracted.rows != bench_file.rows:
            raise AssertionError(
                f"{bench_file.key}: {extracted.rows}/{bench_file.rows} rows read, {bad} quarantined, "
                f"rejection {checked.rejection}"
            )
        with bench_file.clean_path.open("rb") as clean:
            clean_rows = sum(1 for _ in clean)
        if clean_rows != bench_file.rows:
            raise AssertionError(f"{bench_file.clean_path}: {clean_rows} rows, expected {bench_file.rows}")
        print(f"ok  {bench_file.key}: {extracted.rows} rows read and valid")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=lambda s: int(float(s)), required=True, help="e.g. 1e6")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--check", type=int, default=0, metavar="N", help="validate N files with Thanrak")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    data = generate(args.rows, args.data_dir / f"{args.rows}")
    print(
        f"{data.rows} rows in {len(data.files)} files under {data.landing} "
        f"({time.perf_counter() - started:.1f} s)"
    )
    if args.check:
        check(data, args.check)


if __name__ == "__main__":
    main()
