"""Every message a provincial officer may read, in Thai and English: the problems found before
any rule runs (where a file lies, whether it can be read at all) here, each rule's reason with
its rule kind (thanrak.contract.rules)."""

from __future__ import annotations

from thanrak.contract.rules import RULE_KINDS

FILE_PROBLEMS: dict[str, tuple[str, str]] = {
    "internal_failure": (
        "ระบบประมวลผลไฟล์นี้ไม่สำเร็จ ทีมข้อมูลได้รับแจ้งแล้ว ไม่ต้องส่งไฟล์ใหม่ เว้นแต่ทีมข้อมูลจะขอ",
        "Thanrak could not process this file and the data team has been told; "
        "there is no need to send it again unless they ask.",
    ),
    "unreadable_encoding": (
        "อ่านไฟล์ไม่ได้: ไม่ใช่ข้อความ UTF-8 หรือ TIS-620/Windows-874 ที่ถูกต้อง ({detail}) "
        "กรุณาบันทึกเป็น CSV UTF-8 แล้วส่งใหม่",
        "The file cannot be read: it is neither valid UTF-8 nor TIS-620/Windows-874 text ({detail}). "
        "Save it as CSV UTF-8 and send it again.",
    ),
    "formula_without_value": (
        "ไฟล์มีสูตรที่ยังไม่มีค่าที่บันทึกไว้ ({detail}) ระบบอ่านได้เฉพาะค่าที่ Excel คำนวณและบันทึกไว้ "
        "กรุณาเปิดไฟล์ใน Excel กดบันทึก (Save) แล้วส่งใหม่",
        "The workbook has formulas with no saved value ({detail}); only values Excel calculated and "
        "saved can be read. Open the file in Excel, save it, and send it again.",
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
    # The file's headers are all of another dataset's (an OTOP file in the activities folder):
    # `dataset` is the one they match, `expected` the folder's, `folder` where the file belongs.
    "other_dataset_headers": (
        "หัวตารางของไฟล์นี้ตรงกับชุดข้อมูล {dataset} ({title_th}) ไม่ใช่ {expected} ({expected_title_th}) "
        "กรุณาวางไฟล์ในโฟลเดอร์ {folder} หรือตรวจด้วย thanrak check --dataset {dataset}",
        "The file's headers are those of dataset {dataset} ({title_en}), not {expected} "
        "({expected_title_en}): put it in the folder {folder}, or check it with "
        "thanrak check --dataset {dataset}.",
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
}


# Every message an officer may read: the problems above, then each rule kind's reason.
MESSAGES: dict[str, tuple[str, str]] = {
    **FILE_PROBLEMS,
    **{kind.name: (kind.message_th, kind.message_en) for kind in RULE_KINDS},
}


def message(key: str, **fields: object) -> tuple[str, str]:
    """The Thai and English text of a message, filled in."""
    th, en = MESSAGES[key]
    return th.format(**fields), en.format(**fields)
