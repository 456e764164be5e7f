import datetime as dt

import pytest

from thanrak.thai.dates import (
    calendar_rows,
    fiscal_quarter,
    fiscal_year_be,
    fiscal_year_bounds,
    parse_thai_date,
    to_ce_year,
)


@pytest.mark.parametrize(
    ("day", "fiscal_year", "quarter"),
    [
        (dt.date(2021, 9, 30), 2564, 4),  # last day of FY2564
        (dt.date(2021, 10, 1), 2565, 1),  # first day of FY2565
        (dt.date(2021, 12, 31), 2565, 1),
        (dt.date(2022, 1, 1), 2565, 2),
        (dt.date(2022, 3, 31), 2565, 2),
        (dt.date(2022, 4, 1), 2565, 3),
        (dt.date(2022, 6, 30), 2565, 3),
        (dt.date(2022, 7, 1), 2565, 4),
        (dt.date(2024, 2, 29), 2567, 2),  # leap day
    ],
)
def test_fiscal_year_and_quarter_boundaries(day, fiscal_year, quarter):
    assert fiscal_year_be(day) == fiscal_year
    assert fiscal_quarter(day) == quarter


def test_fiscal_year_bounds_are_1_october_to_30_september():
    assert fiscal_year_bounds(2565) == (dt.date(2021, 10, 1), dt.date(2022, 9, 30))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30/09/2564", dt.date(2021, 9, 30)),  # BE, day first
        ("30/09/2021", dt.date(2021, 9, 30)),  # CE, day first
        ("1/10/2564", dt.date(2021, 10, 1)),
        ("2021-10-01", dt.date(2021, 10, 1)),  # ISO is CE
        ("1 ต.ค. 63", dt.date(2020, 10, 1)),  # abbreviated Thai month, two-digit BE year
        ("30 กันยายน 2564", dt.date(2021, 9, 30)),
        ("๓๐/๐๙/๒๕๖๔", dt.date(2021, 9, 30)),  # Thai digits
        ("\u200b30/09/2564 ", dt.date(2021, 9, 30)),  # zero-width space and a trailing space
    ],
)
def test_parse_thai_date_reads_be_and_ce_inputs(text, expected):
    assert parse_thai_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2569", "2026-13-01", "ไม่ทราบ", "30/09/3564", "", "12/2564"])
def test_parse_thai_date_refuses_what_is_not_a_date(text):
    with pytest.raises(ValueError):
        parse_thai_date(text)


def test_years_out_of_range_are_errors_not_guesses():
    assert to_ce_year(2564) == 2021
    assert to_ce_year(2021) == 2021
    with pytest.raises(ValueError):
        to_ce_year(1700)


def test_calendar_rows_agree_with_the_fiscal_functions():
    rows = calendar_rows(dt.date(2021, 9, 29), dt.date(2021, 10, 2))
    assert [(r[0], r[2], r[8], r[9], r[10]) for r in rows] == [
        (dt.date(2021, 9, 29), 2564, 2564, 4, "2564-Q4"),
        (dt.date(2021, 9, 30), 2564, 2564, 4, "2564-Q4"),
        (dt.date(2021, 10, 1), 2564, 2565, 1, "2565-Q1"),
        (dt.date(2021, 10, 2), 2564, 2565, 1, "2565-Q1"),
    ]
