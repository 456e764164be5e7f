"""Thai dates: Buddhist-Era years, Thai month names, and the Thai government fiscal year.

The fiscal year runs 1 October to 30 September and is named by the BE year it ends in:
FY2565 = 1 Oct 2564 (2021-10-01 CE) to 30 Sep 2565 (2022-09-30 CE).
"""

from __future__ import annotations

import datetime as dt
import re

from thanrak.thai.text import clean

BE_OFFSET = 543
MONTHS_TH = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
MONTHS_TH_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
_MONTH_BY_NAME = {
    **{name: i for i, name in enumerate(MONTHS_TH, 1)},
    **{abbr.replace(".", ""): i for i, abbr in enumerate(MONTHS_TH_ABBR, 1)},
}
# Accepted years: CE 1950-2100 or BE 2493-2643; anything else is a typing error, not a date.
CE_RANGE = (1950, 2100)
_NUMERIC = re.compile(r"^([0-9]{1,2})[/.\- ]([0-9]{1,2})[/.\- ]([0-9]{2}|[0-9]{4})$", re.ASCII)
_ISO = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T].*)?$", re.ASCII)
_TEXT_MONTH = re.compile(r"^([0-9]{1,2})\s*([^\s0-9]+)\s*([0-9]{2}|[0-9]{4})$")
_EXCEL_SERIAL = re.compile(r"^([0-9]{5})(?:\.0+)?$", re.ASCII)
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's phantom 29 Feb 1900
_MONTH_ONLY_NUMERIC = re.compile(r"^([0-9]{1,2})[/.\- ]([0-9]{2}|[0-9]{4})$", re.ASCII)
_MONTH_ONLY_ISO = re.compile(r"^([0-9]{4})-([0-9]{1,2})$", re.ASCII)
_MONTH_ONLY_TEXT = re.compile(r"^([^\s0-9]+)\s*([0-9]{2}|[0-9]{4})$")


def fiscal_year_be(day: dt.date) -> int:
    """The Thai fiscal year (BE) that `day` falls in."""
    return day.year + BE_OFFSET + (1 if day.month >= 10 else 0)


def fiscal_quarter(day: dt.date) -> int:
    """Q1 = Oct-Dec, Q2 = Jan-Mar, Q3 = Apr-Jun, Q4 = Jul-Sep."""
    return (day.month - 10) % 12 // 3 + 1


def fiscal_year_bounds(fy_be: int) -> tuple[dt.date, dt.date]:
    """First and last CE day of a fiscal year given in BE."""
    ce = fy_be - BE_OFFSET
    return dt.date(ce - 1, 10, 1), dt.date(ce, 9, 30)


def to_ce_year(year: int, *, two_digit_era: str = "be") -> int:
    """A year as written (BE or CE, two or four digits) -> CE. Two-digit years are read as BE
    (the Thai office convention: '63' = 2563) unless `two_digit_era='ce'`."""
    if year < 100:
        year += 2500 if two_digit_era == "be" else 2000
    if year >= CE_RANGE[0] + BE_OFFSET:
        year -= BE_OFFSET
    if not CE_RANGE[0] <= year <= CE_RANGE[1]:
        raise ValueError(f"year {year} is out of range")
    return year


def parse_thai_date(value: str) -> dt.date:
    """'30/09/2564', '1 ต.ค. 63', '๓๐/๐๙/๒๕๖๔', '2021-09-30', '30 กันยายน 2564' -> date.

    ISO dates (year first) are CE. Day-first dates may carry a BE or a CE year. Raises
    ValueError when the text is not a date."""
    text = clean(value)
    if m := _EXCEL_SERIAL.match(text):
        return excel_serial_to_date(int(m[1]))
    if m := _ISO.match(text):
        return dt.date(to_ce_year(int(m[1])), int(m[2]), int(m[3]))
    if m := _NUMERIC.match(text):
        return dt.date(to_ce_year(int(m[3])), int(m[2]), int(m[1]))
    if (m := _TEXT_MONTH.match(text)) and (month := _MONTH_BY_NAME.get(m[2].replace(".", ""))):
        return dt.date(to_ce_year(int(m[3])), month, int(m[1]))
    raise ValueError(value)


def excel_serial_to_date(serial: int) -> dt.date:
    """An Excel date serial number -> date. Serials are CE already: never subtract 543."""
    day = _EXCEL_EPOCH + dt.timedelta(days=serial)
    if not CE_RANGE[0] <= day.year <= CE_RANGE[1]:
        raise ValueError(f"serial {serial} is out of range")
    return day


def parse_thai_month(value: str) -> dt.date:
    """A reporting month -> its first day: '2026-11', '11/2569', 'พ.ย. 69', 'พฤศจิกายน 2569',
    or any full date that parse_thai_date reads (the day is dropped)."""
    text = clean(value)
    if m := _MONTH_ONLY_ISO.match(text):
        return dt.date(to_ce_year(int(m[1])), int(m[2]), 1)
    if m := _MONTH_ONLY_NUMERIC.match(text):
        return dt.date(to_ce_year(int(m[2])), int(m[1]), 1)
    if (m := _MONTH_ONLY_TEXT.match(text)) and (month := _MONTH_BY_NAME.get(m[1].replace(".", ""))):
        return dt.date(to_ce_year(int(m[2])), month, 1)
    return parse_thai_date(text).replace(day=1)


def calendar_rows(first: dt.date, last: dt.date) -> list[tuple]:
    """One row per day for the date dimension: the single source of every Thai date attribute."""
    rows = []
    day = first
    while day <= last:
        fy = fiscal_year_be(day)
        rows.append(
            (
                day,
                day.year,
                day.year + BE_OFFSET,
                day.month,
                MONTHS_TH[day.month - 1],
                MONTHS_TH_ABBR[day.month - 1],
                day.strftime("%B"),
                (day.month - 1) // 3 + 1,
                fy,
                fiscal_quarter(day),
                f"{fy}-Q{fiscal_quarter(day)}",
                day.isoweekday(),
                day.isoweekday() >= 6,
            )
        )
        day += dt.timedelta(days=1)
    return rows


CALENDAR_COLUMNS = (
    "date_day", "year_ce", "year_be", "month", "month_name_th", "month_abbr_th", "month_name_en",
    "calendar_quarter", "fiscal_year_be", "fiscal_quarter", "fiscal_quarter_label",
    "iso_weekday", "is_weekend",
)  # fmt: skip
