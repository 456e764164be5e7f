"""The rule kinds: every check a delivered file or row goes through, one object each.

A rule kind knows, in one place: when a contract declares it (a column attribute, a `rules:`
entry of a given `kind`, or the dataset's key), the Great Expectations expectation(s) it adds to
the dataset's suite, the columns validation derives for it, its reason in Thai and English, and
how the offending value is shown to a provincial officer. Values that cannot be typed at all
(a number, a date, a flag) are found by extract; their kinds are here too, without expectations,
so that every reason a row can carry has its words here.

Adding a rule kind: one class and one entry in a tuple below, plus its declaration in a
contract (contracts/*.yaml). Everything else (the suites in expectations/, the contract doc,
the report's rule names) derives from here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from thanrak.contract.bmn_tools import bmn_tools, tool, tool_for_year
from thanrak.contract.declarations import Column, Contract, Rule, code_lists

if TYPE_CHECKING:
    import pandas as pd

HIDDEN = "***"
# In a failing row's entry: {column: the text as typed}, for columns typed from text.
TYPED_TEXT = "_typed_text"


def shown(entry: dict, column: str) -> object:
    """A failing value as the officer typed it (else as typed by the reader, e.g. a native Excel
    number or date)."""
    typed = plain((entry.get(TYPED_TEXT) or {}).get(column))
    return typed if typed is not None else plain(entry.get(column))


# A 13-digit citizen ID or an 11-digit house ID, with or without dashes or spaces.
PII_IN_CLEAR = r"^(?:[0-9][- ]?){11}(?:[0-9][- ]?[0-9])?$"


def expectation_meta(rule: str, column: str, severity: str) -> dict:
    """What every expectation carries: the one place a rule's severity lives."""
    return {"rule": rule, "column": column, "severity": severity}


def plain(value: object) -> object:
    """A value as JSON can hold it: missing -> None, timestamps -> ISO dates, numpy -> Python."""
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value.item() if hasattr(value, "item") else value


@dataclass(frozen=True)
class RuleKind:
    """A check with its words. `message_*` are templates over {column_th}, {column_en}, {value}
    (row rules) or {detail} (file rules); `title_*` name a row rule in charts and tables."""

    name: str
    severity: str
    message_th: str
    message_en: str
    title_th: str | None = None
    title_en: str | None = None

    def message(self, **fields: object) -> tuple[str, str]:
        return self.message_th.format(**fields), self.message_en.format(**fields)

    def expectations(self, contract: Contract, column: Column) -> list:
        """The expectations this kind adds for one column of the contract (none by default)."""
        return []

    def derive(self, data: pd.DataFrame, contract: Contract, column: Column) -> None:
        """Adds the columns its expectations read that the file does not have (none by default)."""

    def detail(
        self, values: list[str], *, province_code: str, period: str, column: Column | None = None
    ) -> str:
        """What a file rejection names: the first offending values."""
        return ", ".join(sorted(set(values))[:5])

    def rejection(
        self, values: list[str], *, province_code: str, period: str, column: Column | None = None
    ) -> tuple[str, str]:
        """A file rejection's words (Thai, English), naming what `detail` finds."""
        return self.message(
            detail=self.detail(values, province_code=province_code, period=period, column=column)
        )

    def reason(self, contract: Contract, meta: dict, entry: dict, areas=None) -> dict:
        """A failing row's reason: the rule, the column, the value as typed, the words. `areas`
        (the province's codes, thanrak.validate.validation.ProvinceAreas) for kinds that name
        what the province has instead."""
        column = contract.column(meta["column"])
        value = shown(entry, meta["column"])
        if column.name == contract.pii_column and value is not None:
            value = HIDDEN  # what was typed where a personal key belongs is never stored or echoed
        th, en = self.message(column_th=column.th, column_en=column.en, value=value)
        return {"rule": self.name, "column": column.name, "value": value, "message_th": th, "message_en": en}

    def _meta(self, column: str) -> dict:
        return expectation_meta(self.name, column, self.severity)


class NotNull(RuleKind):
    def expectations(self, contract, column):
        import great_expectations.expectations as gxe

        if not column.required:
            return []
        return [gxe.ExpectColumnValuesToNotBeNull(column=column.name, meta=self._meta(column.name))]


class BadFormat(RuleKind):
    def expectations(self, contract, column):
        import great_expectations.expectations as gxe

        if not column.pattern:
            return []
        return [
            gxe.ExpectColumnValuesToMatchRegex(
                column=column.name, regex=column.pattern, meta=self._meta(column.name)
            )
        ]


class NotInCodeList(RuleKind):
    """A code (or each of a `;`-separated set of codes) must be one of its code list."""

    def expectations(self, contract, column):
        import great_expectations.expectations as gxe

        if column.type == "code":
            codes = [c.code for c in code_lists()[column.code_list]]
            return [
                gxe.ExpectColumnValuesToBeInSet(
                    column=column.name, value_set=codes, meta=self._meta(column.name)
                )
            ]
        if column.type == "code_set":
            one = "|".join(re.escape(c.code) for c in code_lists()[column.code_list])
            return [
                gxe.ExpectColumnValuesToMatchRegex(
                    column=column.name, regex=f"^(?:{one})(?:;(?:{one}))*$", meta=self._meta(column.name)
                )
            ]
        return []


class AreaCodeCheck(RuleKind):
    """An area code must exist in the file's province: a row check and, with `mostly`, the file
    check that the file sits in the wrong province's folder (on the first area column only). The
    codes are parameters of the suite, filled per province at validation."""

    mostly: float | None = None

    def applies_to(self, contract: Contract, column: Column) -> bool:
        return column.type == "area_code"

    def expectations(self, contract, column):
        import great_expectations.expectations as gxe

        if not self.applies_to(contract, column):
            return []
        extra = {"mostly": self.mostly} if self.mostly else {}
        if column.level == "village":  # no village register ships with geothai: tambon + หมู่ 01-99
            check = gxe.ExpectColumnValuesToMatchRegex(
                column=column.name,
                regex={"$PARAMETER": "village_regex"},
                meta=self._meta(column.name),
                **extra,
            )
        else:
            check = gxe.ExpectColumnValuesToBeInSet(
                column=column.name,
                value_set={"$PARAMETER": f"{column.level}_codes"},
                meta=self._meta(column.name),
                **extra,
            )
        return [check]


class BadAreaCode(AreaCodeCheck):
    """A code that does not exist in the province; one DOPA abolished names its successor."""

    abolished_th = "'{column_th}' เป็นรหัสที่ยกเลิกแล้วตั้งแต่ {abolished_on}: '{value}' ให้ใช้รหัสใหม่ {successors}"
    abolished_en = (
        "'{column_en}' is a code abolished on {abolished_on}: '{value}'; use its successor {successors}"
    )

    def reason(self, contract, meta, entry, areas=None):
        found = super().reason(contract, meta, entry, areas)
        value, code = found["value"], plain(entry.get(meta["column"]))
        abolished = areas.successor_of(str(code)) if areas is not None and code is not None else None
        if abolished:
            column = contract.column(meta["column"])
            fields = {
                "value": value,
                "abolished_on": abolished[0],
                "successors": ", ".join(abolished[1]) or "-",
            }
            found["message_th"] = self.abolished_th.format(column_th=column.th, **fields)
            found["message_en"] = self.abolished_en.format(column_en=column.en, **fields)
        return found


class WrongProvinceFolder(AreaCodeCheck):
    """Most area codes are not the folder's province's. Usually they are another province's: the
    file sits in the wrong folder, and the words name both provinces. When they are of no other
    province (codes that start with this province's number but do not exist), the words say so
    and show a few, instead of naming the folder's province twice."""

    mostly = 0.5
    unknown_th = "รหัสพื้นที่ส่วนใหญ่ในไฟล์ไม่มีอยู่จริงในจังหวัดนี้และไม่ใช่ของจังหวัดอื่น (เช่น {detail}) กรุณาตรวจสอบรหัสพื้นที่แล้วส่งใหม่"
    unknown_en = (
        "Most area codes in the file exist neither in this province nor in another (for example {detail}); "
        "check the area codes and send the file again."
    )

    def applies_to(self, contract, column):
        # a dataset of the province as a whole (the Pracharath bodies' meetings) has no area column
        first_area_column = next((c for c in contract.columns if c.type == "area_code"), None)
        return column is first_area_column

    def detail(self, values, *, province_code, period, column=None):
        elsewhere = Counter(v[:2] for v in values if v and not v.startswith(province_code)).most_common(1)
        return f"{province_code} → {elsewhere[0][0] if elsewhere else '?'}"

    def rejection(self, values, *, province_code, period, column=None):
        own = [v for v in values if v and v.startswith(province_code)]
        if len(own) * 2 > len([v for v in values if v]):
            examples = ", ".join(sorted(set(own))[:3])
            return self.unknown_th.format(detail=examples), self.unknown_en.format(detail=examples)
        return super().rejection(values, province_code=province_code, period=period, column=column)


class PiiInClear(RuleKind):
    """The hash column holds a citizen or house ID in clear: the file is rejected, and the
    rejection counts the rows without echoing any value."""

    def expectations(self, contract, column):
        import great_expectations.expectations as gxe

        if column.name != contract.pii_column:
            return []
        return [
            gxe.ExpectColumnValuesToNotMatchRegex(
                column=column.name, regex=PII_IN_CLEAR, meta=self._meta(column.name)
            )
        ]

    def detail(self, values, *, province_code, period, column=None):
        return f"{len(values)}"


_ID_SHAPED = r"^[0-9\- ]{13,}$"


def is_citizen_id(text: str) -> bool:
    """A 13-digit Thai citizen ID (dashes and spaces allowed) whose check digit is right:
    the 13th digit is (11 - sum of the first twelve × 13..2 mod 11) mod 10."""
    digits = [c for c in text if c not in "- "]
    if len(digits) != 13 or not all("0" <= c <= "9" for c in digits):
        return False
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == int(digits[12])


class CitizenIdInText(RuleKind):
    """PDPA: a checksum-valid citizen ID in any text column (an owner's ID as producer ID, say)
    rejects the whole file, and the rejection names the column and counts the rows, echoing no
    value. The hash column has its own rule (pii_in_clear)."""

    @staticmethod
    def derived_column(column: Column) -> str:
        return f"_citizen_id_in_{column.name}"

    def applies_to(self, contract: Contract, column: Column) -> bool:
        return column.type == "text" and column.name != contract.pii_column

    def derive(self, data, contract, column):
        """Only values made of 13 or more digits, dashes and spaces can be an ID: Arrow finds
        those, and only they are checked digit by digit (a per-value loop cost 3 s a night)."""
        if self.applies_to(contract, column):
            import numpy as np
            import pyarrow as pa
            import pyarrow.compute as pc

            text = pa.array(data[column.name].astype("string[pyarrow]"))
            may_be = pc.fill_null(pc.match_substring_regex(text, _ID_SHAPED), False)
            found = np.zeros(len(text), bool)
            for position in np.flatnonzero(may_be.to_numpy(zero_copy_only=False)):
                found[position] = is_citizen_id(text[int(position)].as_py())
            data[self.derived_column(column)] = found

    def expectations(self, contract, column):
        import great_expectations.expectations as gxe

        if not self.applies_to(contract, column):
            return []
        return [
            gxe.ExpectColumnValuesToBeInSet(
                column=self.derived_column(column), value_set=[False], meta=self._meta(column.name)
            )
        ]

    def detail(self, values, *, province_code, period, column=None):
        where = f"{column.th} / {column.en}" if column else "?"
        return f"{where}: {len(values)}"


class AfterDelivery(RuleKind):
    """A day after the file was delivered (a typo in the year or the day, usually) cannot be a
    day something happened: the row is quarantined. The delivery day is a suite parameter."""

    def expectations(self, contract, column):
        import great_expectations.expectations as gxe

        if column.name != contract.date_column or column.type != "date":
            return []
        return [
            gxe.ExpectColumnValuesToBeBetween(
                column=column.name, max_value={"$PARAMETER": "delivered_on"}, meta=self._meta(column.name)
            )
        ]


class OutOfRange(RuleKind):
    def expectations(self, contract, column):
        import great_expectations.expectations as gxe

        if column.min is None and column.max is None:
            return []
        return [
            gxe.ExpectColumnValuesToBeBetween(
                column=column.name, min_value=column.min, max_value=column.max, meta=self._meta(column.name)
            )
        ]


class PeriodCheck(RuleKind):
    """The dataset's date column must fall in the file's reporting month: per row and, with
    `mostly`, the file check that the file sits in the wrong period's folder."""

    mostly: float | None = None

    def expectations(self, contract, column):
        import great_expectations.expectations as gxe

        if column.name != contract.date_column:
            return []
        extra = {"mostly": self.mostly} if self.mostly else {}
        return [
            gxe.ExpectColumnValuesToBeBetween(
                column=column.name,
                min_value={"$PARAMETER": "period_start"},
                max_value={"$PARAMETER": "period_end"},
                **extra,
                meta=self._meta(column.name),
            )
        ]


class WrongPeriodFolder(PeriodCheck):
    mostly = 0.5  # most rows of another month: the file sits in the wrong period's folder

    def detail(self, values, *, province_code, period, column=None):
        months = Counter(str(v)[:7] for v in values if v and v != "None").most_common(1)
        return f"{period} → {months[0][0] if months else '?'}"


class DuplicateKeys(RuleKind):
    """The dataset's key must be unique in the file."""

    def key_expectations(self, contract: Contract) -> list:
        import great_expectations.expectations as gxe

        key = list(contract.key)
        if len(key) == 1:
            return [gxe.ExpectColumnValuesToBeUnique(column=key[0], meta=self._meta(key[0]))]
        return [gxe.ExpectCompoundColumnsToBeUnique(column_list=key, meta=self._meta(""))]


@dataclass(frozen=True)
class DeclaredKind:
    """A rule across columns, declared by name in a contract's `rules:` with its own words
    (`message_th`, `message_en`); `kind` picks one of these. `title` names the kind in charts
    over many rows, where a message written for one row ("{filled} items ...") means nothing."""

    kind: str
    title: ClassVar[tuple[str, str] | None] = None
    # Thai and English names of what reason() adds to the compared values beyond the file's columns.
    value_labels: ClassVar[dict[str, tuple[str, str]]] = {}

    def expectations(self, rule: Rule) -> list:
        raise NotImplementedError

    def derive(self, data: pd.DataFrame, rule: Rule, contract: Contract) -> None:
        """Adds the columns the expectation reads that the file does not have (none by default)."""

    def derived_columns(self, rule: Rule) -> tuple[str, ...]:
        return ()

    def compared(self, rule: Rule, names) -> tuple[str, ...]:
        """The file's columns (of `names`) a failing row's reason reads."""
        return rule.columns

    def reason(self, contract: Contract, rule: Rule, entry: dict) -> dict:
        """The reason shows every value the rule compared, by column (never a derived column);
        the rule's words may name them ({column}) and what the kind adds (`words`)."""
        value = {name: shown(entry, name) for name in rule.columns if name in entry}
        fields = _Blank({**value, **self.words(rule, entry)})
        return {
            "rule": rule.name,
            "column": rule.column,
            "value": value,
            "message_th": rule.message_th.format_map(fields),
            "message_en": rule.message_en.format_map(fields),
        }

    def words(self, rule: Rule, entry: dict) -> dict:
        """What the rule's message may say beyond the compared values (nothing by default)."""
        return {}


class _Blank(dict):
    """Message fields: a value not given reads "-"."""

    def __getitem__(self, key):
        value = super().get(key)
        return "-" if value is None else value


class _FlaggedRows(DeclaredKind):
    """A rule whose derived column flags the rows that break it; the expectation wants none."""

    def derived_columns(self, rule):
        return (f"_{rule.name}_broken",)

    def expectations(self, rule):
        import great_expectations.expectations as gxe

        (broken,) = self.derived_columns(rule)
        return [
            gxe.ExpectColumnValuesToBeInSet(
                column=broken, value_set=[False], meta=expectation_meta(rule.name, rule.column, rule.severity)
            )
        ]

    def derive(self, data, rule, contract):
        (broken,) = self.derived_columns(rule)
        data[broken] = self.broken(data, rule, contract).fillna(False).astype(bool)

    def broken(self, data: pd.DataFrame, rule: Rule, contract: Contract) -> pd.Series:
        raise NotImplementedError


class RangeWhen(_FlaggedRows):
    """`column` within [`min`, `max`] on rows whose `when_column` is `when_code` (a household
    model plot, HLM, is 1-3 rai)."""

    def broken(self, data, rule, contract):
        value = data[rule.column]
        outside = (value < rule.min) if rule.min is not None else False
        if rule.max is not None:
            outside = outside | (value > rule.max)
        return (data[rule.when_column] == rule.when_code) & value.notna() & outside

    def words(self, rule, entry):
        return {"min": _number_words(rule.min), "max": _number_words(rule.max)}


class BlankUnless(_FlaggedRows):
    """`column` left blank except on rows whose `when_column` is `when_code`: a measure that
    belongs to one code only (wages to Khok Nong Na's activity 3). Blank where it belongs is
    allowed: the column is optional."""

    title = ("กรอกค่าในกิจกรรมที่ไม่มีค่านี้", "a value where the row's kind has none")

    def broken(self, data, rule, contract):
        # a row whose kind is not a code of its list breaks that rule, not this one
        codes = {entry.code for entry in code_lists()[contract.column(rule.when_column).code_list]}
        kind = data[rule.when_column]
        return data[rule.column].notna() & kind.isin(codes) & (kind != rule.when_code)


class ToolOfYear(_FlaggedRows):
    """The จปฐ. tool (`column`, a code of indicator_set) must be the tool of the row's survey
    year (`year`), from the reference contracts/bmn_tools.yaml. A tool code not in the list has
    its own reason (not_in_code_list) and is not judged here."""

    title = ("ชุดตัวชี้วัดไม่ใช่ของปีที่สำรวจ", "tool not the survey year's")

    def broken(self, data, rule, contract):
        years, tools = data[rule.year], data[rule.column]
        expected = years.map(
            {year: _tool_code(year) for year in years.dropna().unique()}
        )  # per year, not row
        known = tools.isin([t.code for t in bmn_tools()])
        return years.notna() & known & (expected != tools)

    def words(self, rule, entry):
        return {"expected": _tool_code(plain(entry.get(rule.year))) or "-"}


class ItemsOfTool(_FlaggedRows):
    """A survey row answers exactly its tool's items: every item 1..N of the tool (`column`)
    filled, and none of the item columns (named `items` + number) beyond N."""

    title = ("ข้อที่ตอบไม่ตรงกับชุดตัวชี้วัด", "items answered are not the tool's")
    value_labels = {"items_filled": ("จำนวนข้อที่กรอก", "items filled")}

    def broken(self, data, rule, contract):
        import numpy as np
        import pandas as pd

        items = _item_columns(data.columns, rule.items)
        numbers = np.array([number for number, _ in items])
        filled = np.column_stack([data[name].notna().to_numpy() for _, name in items])  # rows × items
        broken = np.zeros(len(data), dtype=bool)
        for found in bmn_tools():  # a row of this tool breaks the rule if any item differs from it
            of_tool = (data[rule.column] == found.code).to_numpy(dtype=bool, na_value=False)
            broken |= of_tool & (filled != (numbers <= found.item_count)).any(axis=1)
        return pd.Series(broken, index=data.index)

    def compared(self, rule, names):
        return (*rule.columns, *(name for _, name in _item_columns(names, rule.items)))

    def reason(self, contract, rule, entry):
        found = super().reason(contract, rule, entry)
        found["value"] = {**found["value"], "items_filled": len(self._answered(rule, entry))}
        return found

    def words(self, rule, entry):
        count = tool(plain(entry.get(rule.column))).item_count
        answered = self._answered(rule, entry)
        return {
            "expected": count,
            "filled": len(answered),
            "missing": _numbers_words(set(range(1, count + 1)) - answered),
            "extra": _numbers_words({n for n in answered if n > count}),
        }

    @staticmethod
    def _answered(rule, entry) -> set[int]:
        """The item numbers a failing row filled."""
        return {n for n, name in _item_columns(entry, rule.items) if plain(entry.get(name)) is not None}


def _item_columns(names, prefix: str) -> list[tuple[int, str]]:
    return [(int(n[len(prefix) :]), n) for n in names if n.startswith(prefix) and n[len(prefix) :].isdigit()]


def _tool_code(year) -> str | None:
    """The code of the tool a survey year uses (None: no year, or a year no tool covers)."""
    year = plain(year)
    found = tool_for_year(int(year)) if isinstance(year, int | float) else None
    return found.code if found else None


def _number_words(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}"


def _numbers_words(numbers: set[int]) -> str:
    """Item numbers as runs: {1, 2, 3, 7} -> "1-3, 7"; none -> "-"."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs) or "-"


class NotGreaterThan(DeclaredKind):
    """`column` <= `than`, when both are given (disbursed within the budget)."""

    def expectations(self, rule):
        import great_expectations.expectations as gxe

        return [
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=rule.than,
                column_B=rule.column,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                meta=expectation_meta(rule.name, rule.column, rule.severity),
            )
        ]


class PerMember(DeclaredKind):
    """`column` = `total` / `members` within `tolerance`, when all three are given (income per
    person = household income / members). Validation derives the gap; the expectation bounds it."""

    def derived_columns(self, rule):
        return (f"_{rule.name}_gap",)

    def derive(self, data, rule, contract):
        members = data[rule.members].where(data[rule.members] > 0).astype("float64")
        (gap,) = self.derived_columns(rule)
        data[gap] = (data[rule.column] - data[rule.total] / members).abs()

    def expectations(self, rule):
        import great_expectations.expectations as gxe

        (gap,) = self.derived_columns(rule)
        return [
            gxe.ExpectColumnValuesToBeBetween(
                column=gap,
                max_value=rule.tolerance,
                meta=expectation_meta(rule.name, rule.column, rule.severity),
            )
        ]


def _row_rule(kind: type[RuleKind], name: str, message: tuple[str, str], title: tuple[str, str]) -> RuleKind:
    return kind(name, "quarantine_row", *message, *title)


def _file_rule(kind: type[RuleKind], name: str, message: tuple[str, str]) -> RuleKind:
    return kind(name, "reject_file", *message)


WRONG_PROVINCE_FOLDER = _file_rule(
    WrongProvinceFolder,
    "wrong_province_folder",
    (
        "ไฟล์อยู่ในโฟลเดอร์ของจังหวัดอื่น: รหัสพื้นที่ส่วนใหญ่ไม่ใช่ของจังหวัดนี้ (โฟลเดอร์ → ข้อมูล: {detail})",
        "The file is in another province's folder: most area codes are not of this province "
        "(folder → data: {detail}).",
    ),
)
WRONG_PERIOD_FOLDER = _file_rule(
    WrongPeriodFolder,
    "wrong_period_folder",
    (
        "ข้อมูลส่วนใหญ่ไม่ใช่ของเดือนตามโฟลเดอร์ (โฟลเดอร์ → ข้อมูล: {detail}) กรุณาวางไฟล์ในโฟลเดอร์ของเดือนที่ถูกต้อง",
        "Most rows are not of the folder's month (folder → data: {detail}); put the file in its month's folder.",
    ),
)
PII_IN_CLEAR_RULE = _file_rule(
    PiiInClear,
    "pii_in_clear",
    (
        "ไฟล์มีเลขประจำตัวประชาชนหรือรหัสบ้านที่ไม่ได้เข้ารหัส ({detail} แถว) ขัดต่อ พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล "
        "กรุณาแปลงเป็นค่าแฮช SHA-256 แล้วส่งใหม่ ระบบไม่ได้บันทึกข้อมูลจากไฟล์นี้",
        "The file holds citizen IDs or house IDs in clear ({detail} rows), against the PDPA. Replace them "
        "with their SHA-256 hash and send it again; nothing from this file was stored.",
    ),
)
CITIZEN_ID_IN_TEXT = _file_rule(
    CitizenIdInText,
    "citizen_id_in_text",
    (
        "ไฟล์มีเลขประจำตัวประชาชน 13 หลักในคอลัมน์ที่ไม่ควรมี ({detail} แถว) ขัดต่อ พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล "
        "กรุณาใช้รหัสอื่นแทนเลขประจำตัวประชาชนแล้วส่งใหม่ ระบบไม่ได้บันทึกข้อมูลจากไฟล์นี้",
        "The file holds 13-digit citizen IDs in a column that must not hold them ({detail} rows), against "
        "the PDPA. Use another code instead of the citizen ID and send it again; nothing from this file was stored.",
    ),
)
DUPLICATE_KEYS = _file_rule(
    DuplicateKeys,
    "duplicate_keys",
    (
        "มีรหัสซ้ำในไฟล์ ({detail}) แต่ละแถวต้องมีรหัสไม่ซ้ำกัน",
        "The file repeats keys ({detail}); each row must have its own key.",
    ),
)
NOT_NULL = _row_rule(
    NotNull, "not_null", ("ไม่ได้กรอก '{column_th}'", "'{column_en}' is empty"), ("ไม่ได้กรอก", "empty")
)
# Values extract cannot type, or cannot keep (a control character: no expectation, the value never
# reaches the suite).
PARSE_PROBLEMS = (
    _row_rule(
        RuleKind,
        "not_a_number",
        ("'{column_th}' ไม่ใช่ตัวเลข: '{value}'", "'{column_en}' is not a number: '{value}'"),
        ("ไม่ใช่ตัวเลข", "not a number"),
    ),
    _row_rule(
        RuleKind,
        "not_a_whole_number",
        ("'{column_th}' ต้องเป็นจำนวนเต็ม: '{value}'", "'{column_en}' must be a whole number: '{value}'"),
        ("ไม่ใช่จำนวนเต็ม", "not a whole number"),
    ),
    _row_rule(
        RuleKind,
        "not_a_date",
        (
            "'{column_th}' ไม่ใช่วันที่ที่อ่านได้: '{value}' (ตัวอย่าง 30/09/2564)",
            "'{column_en}' is not a date: '{value}' (for example 30/09/2564)",
        ),
        ("วันที่อ่านไม่ได้", "not a date"),
    ),
    _row_rule(
        RuleKind,
        "not_a_month",
        (
            "'{column_th}' ไม่ใช่เดือนที่อ่านได้: '{value}' (ตัวอย่าง 11/2569 หรือ พ.ย. 69)",
            "'{column_en}' is not a month: '{value}' (for example 11/2569 or 2026-11)",
        ),
        ("เดือนอ่านไม่ได้", "not a month"),
    ),
    _row_rule(
        RuleKind,
        "control_character",
        (
            "'{column_th}' มีอักขระควบคุมที่มองไม่เห็น (เช่น NUL) ซึ่งแสดงเป็น ␀ ␁ …: '{value}' "
            "กรุณาลบอักขระนั้นหรือพิมพ์ค่าใหม่ แล้วส่งไฟล์อีกครั้ง",
            "'{column_en}' holds invisible control characters (such as NUL), shown here as ␀ ␁ …: "
            "'{value}'. Delete them or type the value again, and send the file again.",
        ),
        ("อักขระควบคุม", "control character"),
    ),
    _row_rule(
        RuleKind,
        "not_a_flag",
        ("'{column_th}' ต้องเป็น ผ่าน หรือ ไม่ผ่าน: '{value}'", "'{column_en}' must be pass or fail: '{value}'"),
        ("ไม่ใช่ ผ่าน/ไม่ผ่าน", "not pass/fail"),
    ),
)
NOT_IN_CODE_LIST = _row_rule(
    NotInCodeList,
    "not_in_code_list",
    (
        "'{column_th}' ไม่อยู่ในรายการรหัสที่กำหนด: '{value}'",
        "'{column_en}' is not one of the allowed codes: '{value}'",
    ),
    ("ไม่อยู่ในรายการรหัส", "not in the code list"),
)
BAD_AREA_CODE = _row_rule(
    BadAreaCode,
    "bad_area_code",
    (
        "'{column_th}' ไม่ใช่รหัสที่มีอยู่จริงของจังหวัดนี้: '{value}'",
        "'{column_en}' is not an existing code in this province: '{value}'",
    ),
    ("รหัสพื้นที่ไม่ถูกต้อง", "unknown area code"),
)
OUT_OF_RANGE = _row_rule(
    OutOfRange,
    "out_of_range",
    ("'{column_th}' อยู่นอกช่วงที่รับได้: '{value}'", "'{column_en}' is outside the accepted range: '{value}'"),
    ("นอกช่วงที่รับได้", "out of range"),
)
OUTSIDE_PERIOD = _row_rule(
    PeriodCheck,
    "outside_period",
    (
        "'{column_th}' ไม่อยู่ในงวดของไฟล์: '{value}'",
        "'{column_en}' is outside the file's reporting period: '{value}'",
    ),
    ("ไม่อยู่ในงวด", "outside the period"),
)
AFTER_DELIVERY = _row_rule(
    AfterDelivery,
    "after_delivery",
    (
        "'{column_th}' เป็นวันที่หลังวันที่ส่งไฟล์: '{value}' กรุณาตรวจสอบวัน เดือน ปี",
        "'{column_en}' is after the day the file was delivered: '{value}'; check the day, month and year",
    ),
    ("หลังวันส่งไฟล์", "after delivery"),
)
BAD_FORMAT = _row_rule(
    BadFormat,
    "bad_format",
    ("'{column_th}' รูปแบบไม่ถูกต้อง: '{value}'", "'{column_en}' has the wrong format: '{value}'"),
    ("รูปแบบไม่ถูกต้อง", "wrong format"),
)

# Every rule kind, in the order the contract document lists them.
RULE_KINDS: tuple[RuleKind, ...] = (
    WRONG_PROVINCE_FOLDER,
    WRONG_PERIOD_FOLDER,
    PII_IN_CLEAR_RULE,
    CITIZEN_ID_IN_TEXT,
    DUPLICATE_KEYS,
    NOT_NULL,
    *PARSE_PROBLEMS,
    NOT_IN_CODE_LIST,
    BAD_AREA_CODE,
    OUT_OF_RANGE,
    OUTSIDE_PERIOD,
    AFTER_DELIVERY,
    BAD_FORMAT,
)
# The column checks, in the order a column's expectations stand in its suite.
COLUMN_CHECKS: tuple[RuleKind, ...] = (
    NOT_NULL,
    BAD_FORMAT,
    NOT_IN_CODE_LIST,
    BAD_AREA_CODE,
    WRONG_PROVINCE_FOLDER,
    PII_IN_CLEAR_RULE,
    CITIZEN_ID_IN_TEXT,
    OUT_OF_RANGE,
    OUTSIDE_PERIOD,
    WRONG_PERIOD_FOLDER,
    AFTER_DELIVERY,
)
DECLARED_KINDS: dict[str, DeclaredKind] = {
    kind.kind: kind
    for kind in (
        NotGreaterThan("not_greater_than"),
        PerMember("per_member"),
        RangeWhen("range_when"),
        BlankUnless("blank_unless"),
        ToolOfYear("tool_of_year"),
        ItemsOfTool("items_of_tool"),
    )
}
_BY_NAME = {kind.name: kind for kind in RULE_KINDS}


def rule_kind(name: str) -> RuleKind:
    return _BY_NAME[name]


def declared_kind(rule: Rule) -> DeclaredKind:
    if rule.kind not in DECLARED_KINDS:
        raise ValueError(f"rule {rule.name}: unknown rule kind {rule.kind}")
    return DECLARED_KINDS[rule.kind]


def title(name: str) -> tuple[str, str]:
    """A rule's short name in Thai and English, for charts and tables (the name itself for a
    declared rule or a file rule)."""
    kind = _BY_NAME.get(name)
    if kind is None or kind.title_th is None:
        return name, name
    return kind.title_th, kind.title_en
