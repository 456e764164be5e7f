"""How a file's measure is judged unusual: a robust z-score against a baseline of earlier values.

Hand-written, not a library's anomaly detector: the baseline is CDD's own calendar (the same
fiscal month of earlier years, the slot's recent months, or the region's provinces in the same
month), a history is a dozen points, and the verdict must be explained to a planner in one line
(observed, usual range, direction). The median and the median absolute deviation (MAD) keep one
odd month in the history from hiding the next; a floor on the spread keeps a very steady history
from flagging a small change. Parameters: contracts/observe.yaml; the method in words:
docs/data-quality.md ("Unusual deliveries").
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import yaml

from thanrak.settings import CONTRACTS_DIR

LEVELS = ("low", "medium", "high")
MAD_TO_SIGMA = 1.4826  # the MAD of a normal distribution × this = its standard deviation
# The scale a check is judged on, by its family (the check name up to the first colon).
SCALES = {"rows": "log", "sum": "log", "null_share": "share", "days_late": "days", "code_shift": "distance"}
# Families where only one side is a problem: a file sent early, or code shares closer to the
# usual ones than ever, is not news.
ONE_SIDED = {"days_late": "later", "code_shift": "shifted"}


@dataclass(frozen=True)
class Method:
    history_periods: int
    min_history: int
    seasonal_min_years: int
    min_peers: int
    levels: Mapping[str, float]
    min_spread: Mapping[str, float]
    min_distance: float
    alert_level: str

    @classmethod
    @cache
    def from_contract(cls) -> Method:
        raw = yaml.safe_load((CONTRACTS_DIR / "observe.yaml").read_text(encoding="utf-8"))
        if raw.pop("method") != "robust_z":
            raise ValueError("contracts/observe.yaml: the only method is robust_z")
        method = cls(**raw)
        if list(method.levels) != list(LEVELS) or method.alert_level not in LEVELS:
            raise ValueError(f"contracts/observe.yaml: levels must be {', '.join(LEVELS)}")
        return method

    def level_of(self, score: float) -> str | None:
        """The highest level whose threshold |score| reaches; None: not unusual."""
        reached = [name for name in LEVELS if abs(score) >= self.levels[name]]
        return reached[-1] if reached else None

    def alerts(self, level: str) -> bool:
        return LEVELS.index(level) >= LEVELS.index(self.alert_level)


@dataclass(frozen=True)
class Judgement:
    """A measure against its baseline, on the measure's own scale (rows, baht, a share, days)."""

    observed: float
    expected: float  # the baseline's median
    expected_low: float  # the usual range: what the lowest level would not flag
    expected_high: float
    score: float  # robust z
    direction: str | None  # higher, lower, later, shifted; None: not unusual
    level: str | None


def family(check: str) -> str:
    return check.split(":", 1)[0]


def judge(
    method: Method, check: str, observed: float, baseline: Sequence[float], sampling: float = 0.0
) -> Judgement:
    """Judges `observed` against `baseline` (at least one value) for a check of `check`'s family.
    `sampling`: the file's own sampling noise on a share or distance scale (share_sampling,
    distance_sampling), a floor on the spread, so that a file of 20 rows is not judged as
    finely as the baseline's files of 500."""
    scale = SCALES[family(check)]
    to_scale, from_scale = _TRANSFORMS[scale]
    points = [to_scale(v) for v in baseline]
    centre = statistics.median(points)
    if scale == "distance":  # a small file's shares are that far from the usual by chance alone
        centre = max(centre, sampling)
    spread = max(
        MAD_TO_SIGMA * statistics.median(abs(p - centre) for p in points), method.min_spread[scale], sampling
    )
    score = (to_scale(observed) - centre) / spread
    threshold = method.levels[LEVELS[0]]
    side = ONE_SIDED.get(family(check))
    level = method.level_of(score) if (score > 0 or side is None) else None
    if level and family(check) == "code_shift" and observed < method.min_distance:
        level = None
    direction = (side or ("higher" if score > 0 else "lower")) if level else None
    low = from_scale(centre - threshold * spread)
    high = from_scale(centre + threshold * spread)
    if scale != "days":  # no count, total, share or distance is below 0
        low = max(low, 0.0)
    if scale in ("share", "distance"):
        high = min(high, 1.0)
    return Judgement(
        observed=observed,
        expected=from_scale(centre),
        expected_low=low,
        expected_high=high,
        score=score,
        direction=direction,
        level=level,
    )


def share_sampling(share: float, rows: int) -> float:
    """The standard error of a share of `rows` rows (binomial), the share kept off 0 and 1 by one
    row: a column never empty before may be empty on one row of 20 by chance."""
    if rows <= 0:
        return 0.0
    share = min(max(share, 1 / rows), 1 - 1 / rows) if rows > 1 else 0.5
    return math.sqrt(share * (1 - share) / rows)


def distance_sampling(usual: Mapping[str, float], rows: int) -> float:
    """The distance by which `rows` rows drawn from the usual shares miss them on average
    (multinomial: E|p̂ − p| ≈ √(2/π) · √(p(1 − p)/n) per code, halved as the distance is)."""
    if rows <= 0:
        return 0.0
    return 0.5 * math.sqrt(2 / math.pi) * sum(math.sqrt(p * (1 - p) / rows) for p in usual.values())


def shares_distance(shares: Mapping[str, float], usual: Mapping[str, float]) -> float:
    """Total variation distance of two code distributions: the share of rows that would have to
    change code for one to become the other (0: the same shares, 1: no code in common)."""
    return 0.5 * sum(
        abs(shares.get(code, 0.0) - usual.get(code, 0.0)) for code in shares.keys() | usual.keys()
    )


def usual_shares(history: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Each code's mean share over the history's files (a code a file lacks counts as 0)."""
    codes = {code for shares in history for code in shares}
    return {code: sum(shares.get(code, 0.0) for shares in history) / len(history) for code in codes}


def shift_baseline(history: Sequence[Mapping[str, float]]) -> list[float]:
    """How far each history file's shares were from the usual shares of the others (leave one
    out): the ordinary month-to-month movement a new file's distance is judged against."""
    if len(history) < 2:
        return [0.0]
    return [
        shares_distance(shares, usual_shares([other for j, other in enumerate(history) if j != i]))
        for i, shares in enumerate(history)
    ]


def moved_most(shares: Mapping[str, float], usual: Mapping[str, float]) -> dict:
    """The code whose share grew most, for the report's words ('ออนไลน์ 65 %, usually 12 %')."""
    code = max(shares.keys() | usual.keys(), key=lambda c: shares.get(c, 0.0) - usual.get(c, 0.0))
    return {
        "code": code,
        "share": round(shares.get(code, 0.0), 4),
        "usual_share": round(usual.get(code, 0.0), 4),
    }


_TRANSFORMS = {
    "log": (lambda v: math.log1p(max(v, 0.0)), math.expm1),
    "share": (lambda v: v, lambda v: v),
    "days": (lambda v: v, lambda v: v),
    "distance": (lambda v: v, lambda v: v),
}
