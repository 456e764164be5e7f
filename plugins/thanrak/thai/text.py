"""Text clean-up for what provincial offices type: Thai digits, invisible characters, stray
spaces and the two spellings of sara am."""

from __future__ import annotations

import re
from functools import lru_cache

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Zero-width space/joiners, word joiner, BOM and no-break space: invisible in Excel, fatal to codes.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"\s+")
# Nikhahit + sara aa typed as two characters renders like sara am; normalise to the single one.
_SARA_AM = ("\u0e4d\u0e32", "\u0e33")


# Both are cached: the same codes, flags and dates recur in every file of a night, and extract
# calls them once per distinct value of a column.
@lru_cache(maxsize=1 << 16)
def clean(value: str, *, digits: bool = True) -> str:
    """Invisible characters removed, spaces collapsed and trimmed, sara am in one character;
    Thai digits to ASCII unless `digits=False`.

    `digits=False` is for free text (a name, a place: `หมู่ที่ ๙ บ้านโนน๑๒`), stored as typed:
    only where a number, a date, a code or a patterned id is expected are Thai digits the same
    as ASCII ones. The other changes never alter what a reader sees (zero-width characters, a
    no-break space, nikhahit + sara aa rendered like sara am), so free text gets them too."""
    if digits:
        value = value.translate(THAI_DIGITS)
    value = _INVISIBLE.sub("", value).replace("\u00a0", " ")
    return _SPACES.sub(" ", value.replace(*_SARA_AM)).strip()


@lru_cache(maxsize=1 << 16)
def normalise_header(header: str) -> str:
    """A header reduced to what matters for matching: clean, lower case, no spaces or dots."""
    return re.sub(r"[\s._]", "", clean(str(header)).lower())
