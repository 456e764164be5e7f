"""`thanrak check FILE`: the night's contract and suite on one file, before it is sent.

For provincial officers: needs no warehouse and no network. Prints every problem in Thai and
English with the row number seen in the file, and tells whether the file would be accepted."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from thanrak.contract.declarations import DATASETS, Contract, load_contract
from thanrak.extract.frame import SOURCE_ROW, FileRejected, extract
from thanrak.landing.discovery import slot_problem
from thanrak.nights import BANGKOK_TZ
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


# The extractor's reasons for a file whose headers are not the dataset's: some required columns
# missing, or none of its headers known.
_HEADERS_NOT_FOUND = frozenset({"missing_columns", "corrupt_file"})


def headers_match(data: bytes, filename: str, besides: str) -> Contract | None:
    """The other dataset whose contract this file's headers satisfy, if any: the extractor's own
    header matching (every accepted Thai and English spelling), tried against each contract."""
    for dataset in DATASETS:
        if dataset == besides:
            continue
        other = load_contract(dataset)
        try:
            extract(data, filename, other)
        except FileRejected:
            continue
        return other
    return None


def _other_dataset(other: Contract, meant: Contract, province: str, period: str) -> tuple[str, str]:
    """Why a file of another dataset is rejected, and what to do, in Thai and English."""
    folder = f"{province}/{other.dataset}/{period}/"
    return (
        f"หัวตารางของไฟล์นี้ตรงกับชุดข้อมูล {other.dataset} ({other.title_th}) ไม่ใช่ {meant.dataset} "
        f"({meant.title_th}) กรุณาวางไฟล์ในโฟลเดอร์ {folder} หรือตรวจด้วย --dataset {other.dataset}",
        f"The file's headers are those of dataset {other.dataset} ({other.title_en}), not "
        f"{meant.dataset} ({meant.title_en}): put it in the folder {folder}, or check it with "
        f"--dataset {other.dataset}.",
    )


def check_file(path: Path, *, dataset: str, province: str, period: str) -> CheckResult:
    """The nightly pipeline's verdict on one file, without a warehouse: the same slot verdict as
    discovery, then the same extract and the same suite."""
    problem = slot_problem(
        province, dataset, period, cdd_province_codes(), where=f"{province}/{dataset}/{period}"
    )
    if problem:
        return CheckResult(
            "rejected", [f"{path.name}:", "ไม่รับไฟล์ / FILE REJECTED:", f"  {problem[0]}", f"  {problem[1]}"]
        )
    contract = load_contract(dataset)
    header = f"{path.name}: {contract.title_th} / {contract.title_en}, จังหวัด/province {province}, งวด/period {period}"
    data = path.read_bytes()
    try:
        extracted = extract(data, path.name, contract)
    except FileRejected as rejected:
        reason = (rejected.message_th, rejected.message_en)
        if rejected.reason in _HEADERS_NOT_FOUND and (other := headers_match(data, path.name, dataset)):
            reason = _other_dataset(other, contract, province, period)
        return CheckResult("rejected", [header, "ไม่รับไฟล์ / FILE REJECTED:", *(f"  {r}" for r in reason)])
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
    return CheckResult("rows_quarantined" if len(bad) else "accepted", lines)
