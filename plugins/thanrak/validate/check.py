"""`thanrak check FILE`: the night's contract and suite on one file, before it is sent.

For provincial officers: needs no warehouse and no network. Prints every problem in Thai and
English with the row number seen in the file, and tells whether the file would be accepted."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from thanrak.contract.declarations import load_contract
from thanrak.extract.frame import SOURCE_ROW, FileRejected, extract_in_folder
from thanrak.landing.discovery import slot_problem
from thanrak.nights import BANGKOK_TZ
from thanrak.observe.method import Method, judge
from thanrak.observe.words import volume_warning
from thanrak.validate.validation import REASONS, province_areas_from_geothai, validate
from thanrak.warehouse.reference import cdd_province_codes

_LAYOUT = re.compile(r"(?:^|/)([0-9]{2})/([a-z_]+)/([0-9]{4}-[0-9]{2})/[^/]+$")


@dataclass
class CheckResult:
    verdict: str  # accepted | rows_quarantined | rejected
    lines: list[str]

    @property
    def exit_code(self) -> int:
        return {"accepted": 0, "rows_quarantined": 1, "rejected": 2}[self.verdict]


def slot_from_path(path: Path) -> tuple[str, str, str] | None:
    """(province, dataset, period) when the file sits in the landing layout."""
    match = _LAYOUT.search(path.resolve().as_posix())
    return (match[1], match[2], match[3]) if match else None


def check_file(
    path: Path, *, dataset: str, province: str, period: str, usual_volumes: Mapping | None = None
) -> CheckResult:
    """The nightly pipeline's verdict on one file, without a warehouse: the same slot verdict as
    discovery, then the same extract (a file of another dataset named as such) and the same
    suite. With `usual_volumes` (a night's usual-volumes.json), a warning when the file's rows
    are far from the province's usual: it does not change the verdict."""
    problem = slot_problem(
        province, dataset, period, cdd_province_codes(), where=f"{province}/{dataset}/{period}"
    )
    if problem:
        return CheckResult(
            "rejected", [f"{path.name}:", "ไม่รับไฟล์ / FILE REJECTED:", f"  {problem[0]}", f"  {problem[1]}"]
        )
    contract = load_contract(dataset)
    header = f"{path.name}: {contract.title_th} / {contract.title_en}, จังหวัด/province {province}, งวด/period {period}"
    try:
        extracted = extract_in_folder(
            path.read_bytes(), path.name, contract, province=province, period=period
        )
    except FileRejected as rejected:
        return CheckResult(
            "rejected",
            [header, "ไม่รับไฟล์ / FILE REJECTED:", f"  {rejected.message_th}", f"  {rejected.message_en}"],
        )
    # Not delivered yet: a day after today cannot have happened either.
    today = dt.datetime.now(BANGKOK_TZ).date()
    result = validate(
        extracted.frame,
        contract,
        period=period,
        areas=province_areas_from_geothai(province),
        delivered_on=today,
    )
    if result.rejection:
        _, th, en = result.rejection
        return CheckResult("rejected", [header, "ไม่รับไฟล์ / FILE REJECTED:", f"  {th}", f"  {en}"])
    bad = result.frame[result.bad_rows]
    lines = [
        header,
        f"แถวข้อมูล/rows: {extracted.rows:,}  ผ่าน/accepted: {extracted.rows - len(bad):,}  ไม่ผ่าน/quarantined: {len(bad):,}",
    ]
    for row, reasons in zip(bad[SOURCE_ROW], bad[REASONS], strict=True):
        for reason in json.loads(reasons):
            lines.append(f"  แถว/row {row}: {reason['message_th']} / {reason['message_en']}")
    usual = (usual_volumes or {}).get("slots", {}).get(province, {}).get(dataset)
    if usual:
        lines += volume_warning(
            extracted.rows, judge(Method.from_contract(), "rows", extracted.rows, usual["rows"])
        )
    return CheckResult("rows_quarantined" if len(bad) else "accepted", lines)
