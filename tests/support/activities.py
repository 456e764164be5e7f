"""Activities files built row by row, with the rows that must load known in advance."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass

import geothai

from thanrak.contract.declarations import load_contract

CONTRACT = load_contract("activities")


@dataclass
class Sent:
    """One file as the office built it, and what of it should be accepted."""

    data: bytes
    accepted: dict[str, dict]  # activity_id -> the row's values, for the rows that must load
    rows: int


def activities_file(count: int, *, bump: int, bad: dict[int, dict[str, str]], province: str = "30") -> Sent:
    """`count` clean activities (A-0001...) of `province` in November 2569, participants raised by
    `bump`; rows listed in `bad` (by index) get the given spoilt values and must be quarantined."""
    tambons = sorted(s.code for d in geothai.districts(province) for s in geothai.subdistricts(d.code))
    rng = random.Random(f"resubmission-{count}-{bump}")
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow([c.th for c in CONTRACT.columns])
    accepted = {}
    for index in range(count):
        budget = rng.randint(10, 500) * 100
        row = {
            "activity_id": f"A-{index + 1:04d}",
            "tambon_code": rng.choice(tambons),
            "activity_date": f"{rng.randint(1, 19)}/11/2569",
            "gear": str(rng.randint(1, 5)),
            "value_chain_stage": rng.choice(["ต้นทาง", "กลางทาง", "ปลายทาง"]),
            "sector": "เกษตร",
            "programme": "OTOP",
            "partner_sectors": "ภาครัฐ;ภาคประชาชน",
            "participants": str(rng.randint(10, 200) + bump),
            "households_reached": str(rng.randint(1, 10)),
            "budget_baht": str(budget),
            "disbursed_baht": str(budget // 2),
        }
        if index in bad:
            row.update(bad[index])
        else:
            accepted[row["activity_id"]] = row
        out.writerow(row.values())
    return Sent(buffer.getvalue().encode("utf-8"), accepted, count)
