"""Every message a provincial officer may read, in Thai and English, in one place."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # file-level
    "unreadable_encoding": (
        "อ่านไฟล์ไม่ได้: ไม่ใช่ข้อความ UTF-8 หรือ TIS-620/Windows-874 กรุณาบันทึกเป็น CSV UTF-8 แล้วส่งใหม่",
        "The file cannot be read: it is neither UTF-8 nor TIS-620/Windows-874 text. "
        "Save it as CSV UTF-8 and send it again.",
    ),
    "unreadable_format": (
        "อ่านไฟล์ไม่ได้: รองรับเฉพาะ .csv และ .xlsx ({detail})",
        "The file cannot be read: only .csv and .xlsx are accepted ({detail}).",
    ),
    "corrupt_file": (
        "ไฟล์เสียหรือไม่ใช่ตาราง อ่านไม่ได้ ({detail}) กรุณาส่งไฟล์ใหม่",
        "The file is damaged or is not a table and cannot be read ({detail}). Please send it again.",
    ),
    "empty_file": (
        "ไฟล์ไม่มีข้อมูล (ไม่มีแถวข้อมูลใต้หัวตาราง)",
        "The file has no data (no rows under the header).",
    ),
    "missing_columns": (
        "ไม่พบคอลัมน์ที่ต้องมี: {detail} กรุณาใช้หัวตารางตามแบบฟอร์ม",
        "Required columns are missing: {detail}. Please use the headers of the template.",
    ),
    "bad_location": (
        "ไฟล์อยู่ผิดที่: ต้องอยู่ในโฟลเดอร์ <รหัสจังหวัด>/<ชุดข้อมูล>/<ปปปป-ดด>/ ({detail})",
        "The file is in the wrong place: it must be in a <province code>/<dataset>/<YYYY-MM>/ "
        "folder ({detail}).",
    ),
    "unknown_dataset": (
        "ไม่รู้จักชุดข้อมูล '{detail}'",
        "Unknown dataset '{detail}'.",
    ),
    "unknown_province": (
        "ไม่รู้จักรหัสจังหวัด '{detail}' หรือจังหวัดนี้ไม่อยู่ในเครือข่ายกรมการพัฒนาชุมชน",
        "Unknown province code '{detail}', or the province is outside the CDD network.",
    ),
    "wrong_province_folder": (
        "ไฟล์อยู่ในโฟลเดอร์ของจังหวัดอื่น: รหัสพื้นที่ส่วนใหญ่ไม่ใช่ของจังหวัดนี้ (โฟลเดอร์ → ข้อมูล: {detail})",
        "The file is in another province's folder: most area codes are not of this province "
        "(folder → data: {detail}).",
    ),
    "wrong_period_folder": (
        "ข้อมูลส่วนใหญ่ไม่ใช่ของเดือนตามโฟลเดอร์ (โฟลเดอร์ → ข้อมูล: {detail}) กรุณาวางไฟล์ในโฟลเดอร์ของเดือนที่ถูกต้อง",
        "Most rows are not of the folder's month (folder → data: {detail}); put the file in its month's folder.",
    ),
    "pii_in_clear": (
        "ไฟล์มีเลขประจำตัวประชาชนหรือรหัสบ้านที่ไม่ได้เข้ารหัส ({detail} แถว) ขัดต่อ พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล "
        "กรุณาแปลงเป็นค่าแฮช SHA-256 แล้วส่งใหม่ ระบบไม่ได้บันทึกข้อมูลจากไฟล์นี้",
        "The file holds citizen IDs or house IDs in clear ({detail} rows), against the PDPA. Replace them "
        "with their SHA-256 hash and send it again; nothing from this file was stored.",
    ),
    "duplicate_keys": (
        "มีรหัสซ้ำในไฟล์ ({detail}) แต่ละแถวต้องมีรหัสไม่ซ้ำกัน",
        "The file repeats keys ({detail}); each row must have its own key.",
    ),
    # row-level
    "not_null": ("ไม่ได้กรอก '{column_th}'", "'{column_en}' is empty"),
    "not_a_number": ("'{column_th}' ไม่ใช่ตัวเลข: '{value}'", "'{column_en}' is not a number: '{value}'"),
    "not_a_whole_number": (
        "'{column_th}' ต้องเป็นจำนวนเต็ม: '{value}'",
        "'{column_en}' must be a whole number: '{value}'",
    ),
    "not_a_date": (
        "'{column_th}' ไม่ใช่วันที่ที่อ่านได้: '{value}' (ตัวอย่าง 30/09/2564)",
        "'{column_en}' is not a date: '{value}' (for example 30/09/2564)",
    ),
    "not_a_month": (
        "'{column_th}' ไม่ใช่เดือนที่อ่านได้: '{value}' (ตัวอย่าง 11/2569 หรือ พ.ย. 69)",
        "'{column_en}' is not a month: '{value}' (for example 11/2569 or 2026-11)",
    ),
    "not_a_flag": (
        "'{column_th}' ต้องเป็น ผ่าน หรือ ไม่ผ่าน: '{value}'",
        "'{column_en}' must be pass or fail: '{value}'",
    ),
    "not_in_code_list": (
        "'{column_th}' ไม่อยู่ในรายการรหัสที่กำหนด: '{value}'",
        "'{column_en}' is not one of the allowed codes: '{value}'",
    ),
    "bad_area_code": (
        "'{column_th}' ไม่ใช่รหัสที่มีอยู่จริงของจังหวัดนี้: '{value}'",
        "'{column_en}' is not an existing code in this province: '{value}'",
    ),
    "out_of_range": (
        "'{column_th}' อยู่นอกช่วงที่รับได้: '{value}'",
        "'{column_en}' is outside the accepted range: '{value}'",
    ),
    "outside_period": (
        "'{column_th}' ไม่อยู่ในงวดของไฟล์: '{value}'",
        "'{column_en}' is outside the file's reporting period: '{value}'",
    ),
    "bad_format": ("'{column_th}' รูปแบบไม่ถูกต้อง: '{value}'", "'{column_en}' has the wrong format: '{value}'"),
}


# Short names of the row rules, for charts and tables that planners read.
TITLES: dict[str, tuple[str, str]] = {
    "not_null": ("ไม่ได้กรอก", "empty"),
    "not_a_number": ("ไม่ใช่ตัวเลข", "not a number"),
    "not_a_whole_number": ("ไม่ใช่จำนวนเต็ม", "not a whole number"),
    "not_a_date": ("วันที่อ่านไม่ได้", "not a date"),
    "not_a_month": ("เดือนอ่านไม่ได้", "not a month"),
    "not_a_flag": ("ไม่ใช่ ผ่าน/ไม่ผ่าน", "not pass/fail"),
    "not_in_code_list": ("ไม่อยู่ในรายการรหัส", "not in the code list"),
    "bad_area_code": ("รหัสพื้นที่ไม่ถูกต้อง", "unknown area code"),
    "out_of_range": ("นอกช่วงที่รับได้", "out of range"),
    "outside_period": ("ไม่อยู่ในงวด", "outside the period"),
    "bad_format": ("รูปแบบไม่ถูกต้อง", "wrong format"),
}


def message(key: str, **fields: object) -> tuple[str, str]:
    """The Thai and English text of a message, filled in."""
    th, en = MESSAGES[key]
    return th.format(**fields), en.format(**fields)
