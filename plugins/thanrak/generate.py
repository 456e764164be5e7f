"""Realistic, seeded submissions for a night: what 76 provincial offices would deliver.

The generator writes real files into the landing zone in the shapes provinces really use
(Thai or English headers, UTF-8, UTF-8 with BOM or cp874, BE or CE dates, Thai digits) and
injects defects at a chosen rate, recording each one so tests can prove it was caught.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import geothai

from thanrak.contract import Contract, code_lists, load_contract
from thanrak.reference import BANGKOK
from thanrak.thai_calendar import BE_OFFSET
from thanrak.thai_text import THAI_DIGITS

BANGKOK_TZ = ZoneInfo("Asia/Bangkok")
TO_THAI_DIGITS = {v: k for k, v in THAI_DIGITS.items()}

# Row-level defects, each caught by one rule (the rule key is what validation reports).
ROW_DEFECTS = {
    "unknown_tambon": "bad_area_code",
    "gear_out_of_list": "not_in_code_list",
    "disbursed_over_budget": "disbursed_within_budget",
    "negative_participants": "out_of_range",
    "unreadable_date": "not_a_date",
    "missing_value": "not_null",
}
FILE_DEFECTS = {"corrupt_file": "corrupt_file"}


@dataclass
class Defect:
    path: str
    kind: str
    expected_rule: str
    source_row: int | None = None
    column: str | None = None


@dataclass
class GeneratedNight:
    night: dt.date
    files: list[str] = field(default_factory=list)
    rows: int = 0
    defects: list[Defect] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "night": self.night.isoformat()}, ensure_ascii=False, indent=1)


def cdd_provinces() -> list[str]:
    return [p.code for p in geothai.provinces() if p.code != BANGKOK]


def generate_night(
    landing_dir: Path,
    night: dt.date,
    *,
    seed: int = 2569,
    provinces: list[str] | None = None,
    mean_rows: int = 400,
    defect_rate: float = 0.01,
    corrupt_files: int = 1,
) -> GeneratedNight:
    """Writes one night of deliveries (the file of the night's month for each province)."""
    rng = random.Random(f"{seed}-{night.isoformat()}")
    contract = load_contract("activities")
    provinces = provinces or cdd_provinces()
    result = GeneratedNight(night=night)
    corrupt = set(rng.sample(provinces, min(corrupt_files, len(provinces))))
    delivered_at = dt.datetime.combine(night, dt.time(21, 30), BANGKOK_TZ)
    for province in provinces:
        period = f"{night:%Y-%m}"
        folder = landing_dir / province / contract.dataset / period
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{contract.dataset}_{province}_{period}_{night:%Y%m%d}.csv"
        relative = str(path.relative_to(landing_dir))
        if province in corrupt:
            path.write_bytes(rng.randbytes(2048))
            result.defects.append(Defect(relative, "corrupt_file", FILE_DEFECTS["corrupt_file"]))
        else:
            n_rows = max(20, min(10_000, int(rng.lognormvariate(0, 0.5) * mean_rows)))
            writer = _FileShape.pick(rng)
            rows, defects = _activity_rows(rng, contract, province, night, n_rows, defect_rate)
            path.write_bytes(writer.render(contract, rows))
            result.rows += n_rows
            result.defects.extend(
                Defect(relative, kind, ROW_DEFECTS[kind], source_row=row + 2, column=column)
                for row, kind, column in defects
            )
        stamp = (delivered_at + dt.timedelta(minutes=rng.randint(0, 150))).timestamp()
        os.utime(path, (stamp, stamp))
        result.files.append(relative)
    return result


@dataclass(frozen=True)
class _FileShape:
    """How one office saves its file: header language, encoding, date style, digits."""

    thai_headers: bool
    encoding: str
    be_dates: bool
    thai_digits: bool

    @classmethod
    def pick(cls, rng: random.Random) -> _FileShape:
        return cls(
            thai_headers=rng.random() < 0.7,
            encoding=rng.choice(["utf-8", "utf-8-sig", "cp874"]),
            be_dates=rng.random() < 0.6,
            thai_digits=rng.random() < 0.1,
        )

    def render(self, contract: Contract, rows: list[dict]) -> bytes:
        buffer = io.StringIO()
        out = csv.writer(buffer, lineterminator="\r\n")
        out.writerow([c.th if self.thai_headers else c.en for c in contract.columns])
        for row in rows:
            out.writerow([self._cell(row[c.name]) for c in contract.columns])
        return buffer.getvalue().encode(self.encoding)

    def _cell(self, value: object) -> str:
        if isinstance(value, dt.date):
            if self.be_dates:
                text = f"{value.day}/{value.month:02d}/{value.year + BE_OFFSET}"
            else:
                text = value.isoformat()
        elif isinstance(value, list):
            text = ";".join(value)
        else:
            text = "" if value is None else str(value)
        return text.translate(TO_THAI_DIGITS) if self.thai_digits else text


def _activity_rows(
    rng: random.Random, contract: Contract, province: str, night: dt.date, n_rows: int, defect_rate: float
) -> tuple[list[dict], list[tuple[int, str, str]]]:
    tambons = [s.code for d in geothai.districts(province) for s in geothai.subdistricts(d.code)]
    lists = code_lists()
    first_day = night.replace(day=1)
    rows, defects = [], []
    for i in range(n_rows):
        budget = rng.choice([5_000, 10_000, 20_000, 50_000, 100_000, 250_000]) + rng.randint(0, 99) * 100
        participants = rng.randint(8, 250)
        row = {
            "activity_id": f"{province}{night:%y%m}-{i + 1:05d}",
            "tambon_code": rng.choice(tambons),
            "activity_date": first_day + dt.timedelta(days=rng.randint(0, (night - first_day).days)),
            "gear": rng.choice(lists["gear"]).code,
            "value_chain_stage": _label(rng, rng.choice(lists["value_chain_stage"])),
            "sector": _label(rng, rng.choice(lists["sector"])),
            "programme": _label(rng, rng.choice(lists["programme"])),
            "partner_sectors": [p.code for p in rng.sample(lists["partner_sector"], rng.randint(1, 3))],
            "participants": participants,
            "households_reached": rng.randint(1, participants),
            "budget_baht": budget,
            "disbursed_baht": round(budget * rng.uniform(0.3, 1.0), 2),
        }
        if rng.random() < defect_rate:
            kind = rng.choice(sorted(ROW_DEFECTS))
            defects.append((i, kind, _inject(rng, row, kind)))
        rows.append(row)
    return rows, defects


def _label(rng: random.Random, code) -> str:
    """Provinces write a code list entry as its code, its Thai label or its English label."""
    return rng.choice([code.code, code.th, code.th, code.en])


def _inject(rng: random.Random, row: dict, kind: str) -> str:
    """Spoils one field of the row; returns the column spoiled."""
    if kind == "unknown_tambon":
        row["tambon_code"] = "999999"
        return "tambon_code"
    if kind == "gear_out_of_list":
        row["gear"] = "6"
        return "gear"
    if kind == "disbursed_over_budget":
        row["disbursed_baht"] = row["budget_baht"] + 1000
        return "disbursed_baht"
    if kind == "negative_participants":
        row["participants"] = -rng.randint(1, 50)
        return "participants"
    if kind == "unreadable_date":
        row["activity_date"] = rng.choice(["31/02/2569", "ไม่ทราบ", "2026-13-01"])
        return "activity_date"
    column = rng.choice(["programme", "budget_baht", "tambon_code"])
    row[column] = None
    return column
