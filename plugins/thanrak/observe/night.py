"""A night's unusual deliveries: every file the night loaded (the slot's latest revision) judged
against the history of its slot, into dq.anomaly.

A slot is province × dataset; its history is, per earlier period, the measure of the file in
force (the latest loaded revision that has the measure). The baseline is chosen per measure as
thanrak.observe.method says; for the region's peers, totals and rows are scaled by the number
of amphoe (provinces are compared per amphoe, as the generator and CDD's budgets size them).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

from thanrak.contract.declarations import DATASETS, load_contract
from thanrak.observe.measures import measure_files
from thanrak.observe.method import (
    SCALES,
    Judgement,
    Method,
    distance_sampling,
    family,
    judge,
    moved_most,
    share_sampling,
    shares_distance,
    shift_baseline,
    usual_shares,
)

REGION_SCHEME = "nesdc_4_and_bangkok"
USUAL_VOLUMES_FILE = "usual-volumes.json"  # in the night's report folder


@dataclass(frozen=True)
class Anomaly:
    submission_id: int
    province: str
    dataset: str
    period: str
    check: str
    judgement: Judgement
    baseline: str  # own, own_fiscal_month, peers
    history_periods: int
    detail: dict = field(default_factory=dict)


@dataclass
class ObservedNight:
    files_measured: int = 0  # measured for the first time (this night's, or history)
    files_judged: int = 0
    checks: int = 0  # measures judged
    not_judged: int = 0  # measures without enough history or peers
    anomalies: list[Anomaly] = field(default_factory=list)

    def to_detail(self) -> dict:
        levels = defaultdict(int)
        for anomaly in self.anomalies:
            levels[anomaly.judgement.level] += 1
        return {
            "files_measured": self.files_measured,
            "files_judged": self.files_judged,
            "checks": self.checks,
            "not_judged": self.not_judged,
            "anomalies": len(self.anomalies),
            "levels": dict(levels),
        }


def observe_night(
    conn: psycopg.Connection, night: dt.date, regions_csv: Path, method: Method | None = None
) -> ObservedNight:
    """Measures the files not measured yet, judges the night's loaded files and replaces their
    rows in dq.anomaly (so a night observed again gives the same rows)."""
    method = method or Method.from_contract()
    observed = ObservedNight(files_measured=measure_files(conn))
    files = conn.execute(
        f"""with in_force as ({_IN_FORCE})
            select submission_id, province_code, dataset, period, revision from in_force
            join ops.submission using (submission_id, province_code, dataset, period) where night = %s
            order by province_code, dataset, period""",
        (list(DATASETS), night),
    ).fetchall()
    history = _in_force(conn, sorted({f[2] for f in files}))
    peers_of = _peers(regions_csv)
    amphoes = dict(conn.execute("select province_code, count(*) from ref.amphoe group by 1").fetchall())
    for submission_id, province, dataset, period, revision in files:
        slot = history[dataset]
        resets = load_contract(dataset).observed_resets == "fiscal_year"
        baselines = _Baselines(method, slot, province, period, peers_of.get(province, ()), amphoes, resets)
        measures = slot[province].get(period, {})
        rows = int(measures.get("rows", 0))
        for check, value in _checks(measures).items():
            if check == "days_late" and revision != 1:
                continue  # the slot's first file was judged on its lateness
            found = baselines.of(check)
            if found is None:
                observed.not_judged += 1
                continue
            kind, values = found
            observed.checks += 1
            detail = {}
            if family(check) == "code_shift":
                usual = usual_shares(values)
                distance = shares_distance(value, usual)
                judgement = judge(
                    method, check, distance, shift_baseline(values), distance_sampling(usual, rows)
                )
                detail = moved_most(value, usual)
            elif family(check) == "null_share":
                judgement = judge(
                    method, check, value, values, share_sampling(statistics.median(values), rows)
                )
            else:
                judgement = judge(method, check, value, values)
            if judgement.level:
                observed.anomalies.append(
                    Anomaly(
                        submission_id, province, dataset, period, check, judgement, kind, len(values), detail
                    )
                )
        observed.files_judged += 1
    _store(conn, [f[0] for f in files], observed.anomalies)
    return observed


# The file in force of each slot's period: the latest delivered one that loaded, as
# int_submissions_in_force decides it for the marts (ties by file name, then revision).
_IN_FORCE = """
    select distinct on (dataset, province_code, period) submission_id, dataset, province_code, period
    from ops.submission where status = 'loaded' and dataset = any(%s)
    order by dataset, province_code, period, delivered_at desc, source_key desc, revision desc"""


def _in_force(
    conn: psycopg.Connection, datasets: list[str]
) -> dict[str, dict[str, dict[str, dict[str, float]]]]:
    """dataset -> province -> period -> metric -> value: the measures of the period's file in
    force, and days_late of its first file (the only one measured for it)."""
    rows = conn.execute(
        f"""with in_force as ({_IN_FORCE})
            select f.dataset, f.province_code, f.period, m.metric, m.value
            from in_force f join dq.file_metric m using (submission_id) where m.metric <> 'days_late'
            union all
            select s.dataset, s.province_code, s.period, m.metric, m.value
            from ops.submission s join dq.file_metric m using (submission_id)
            where m.metric = 'days_late' and s.status = 'loaded' and s.dataset = any(%s)""",
        (datasets, datasets),
    )
    found: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    for dataset, province, period, metric, value in rows:
        found[dataset][province][period][metric] = value
    return found


def _checks(metrics: Mapping[str, float]) -> dict[str, float | dict[str, float]]:
    """A file's measures as checks: each measure on its own, and each code column's shares as
    one distribution (code_shift:<column> -> {code: share})."""
    checks: dict = {}
    for metric, value in metrics.items():
        if metric.startswith("code_share:"):
            _, column, code = metric.split(":", 2)
            checks.setdefault(f"code_shift:{column}", {})[code] = value
        else:
            checks[metric] = value
    return checks


class _Baselines:
    """The baseline of each check of one file (see the module's docstring)."""

    def __init__(
        self, method: Method, slot: Mapping, province: str, period: str, peers, amphoes: Mapping, resets: bool
    ):
        self.method, self.slot, self.province, self.period = method, slot, province, period
        self.peers, self.amphoes = peers, amphoes
        self.earlier = sorted((p for p in slot[province] if p < period), reverse=True)
        # a standing since 1 October is compared within its fiscal year (or with earlier years' month)
        self.recent = [p for p in self.earlier if not resets or _fiscal_year(p) == _fiscal_year(period)]
        self._checks_of: dict[tuple[str, str], dict] = {}

    def of(self, check: str) -> tuple[str, list] | None:
        method = self.method
        own = [value for p in self.recent if (value := self._value(self.province, p, check)) is not None]
        same_month = [
            value
            for p in self.earlier
            if p[5:7] == self.period[5:7] and (value := self._value(self.province, p, check)) is not None
        ]
        if len(same_month) >= method.seasonal_min_years:
            return "own_fiscal_month", same_month
        if len(own) >= method.min_history:
            return "own", own[: method.history_periods]
        peers = {
            peer: value for peer in self.peers if (value := self._value(peer, self.period, check)) is not None
        }
        if len(peers) >= method.min_peers:
            return "peers", self._as_this_province(peers, check)
        return None

    def _value(self, province: str, period: str, check: str):
        if (province, period) not in self._checks_of:
            self._checks_of[province, period] = _checks(self.slot.get(province, {}).get(period, {}))
        return self._checks_of[province, period].get(check)

    def _as_this_province(self, peers: Mapping[str, float], check: str) -> list:
        """The peers' rows or totals scaled to this province's number of amphoe when that makes
        them more alike than they are as sent (a dataset sized by amphoe: activities, plots),
        else as sent (two Pracharath bodies per province, whatever its size); shares as sent."""
        if SCALES[family(check)] != "log" or len(peers) < 2:
            return list(peers.values())
        size = {peer: self.amphoes.get(peer, 1) for peer in peers}
        scaled = {
            peer: value * self.amphoes.get(self.province, 1) / size[peer] for peer, value in peers.items()
        }
        if _log_dispersion(scaled.values()) < _log_dispersion(peers.values()):
            return list(scaled.values())
        return list(peers.values())


def _log_dispersion(values) -> float:
    """The median absolute deviation of the values' logs: how alike they are as ratios."""
    logs = [math.log1p(max(v, 0.0)) for v in values]
    centre = statistics.median(logs)
    return statistics.median(abs(v - centre) for v in logs)


def _fiscal_year(period: str) -> int:
    """The Thai fiscal year (CE of its September) of a YYYY-MM period: October starts the next."""
    year, month = int(period[:4]), int(period[5:7])
    return year + 1 if month >= 10 else year


def _peers(regions_csv: Path) -> dict[str, tuple[str, ...]]:
    """province -> the other CDD provinces of its region (Bangkok is outside the network)."""
    with regions_csv.open(encoding="utf-8") as rows:
        region_of = {
            r["province_code"]: r["region_code"]
            for r in csv.DictReader(rows)
            if r["region_scheme"] == REGION_SCHEME and r["region_code"] != "bangkok"
        }
    return {
        p: tuple(q for q, r in region_of.items() if r == region and q != p) for p, region in region_of.items()
    }


def _store(conn: psycopg.Connection, judged: list[int], anomalies: list[Anomaly]) -> None:
    with conn.transaction():
        conn.execute("delete from dq.anomaly where submission_id = any(%s)", (judged,))
        with conn.cursor() as cursor:
            cursor.executemany(
                """insert into dq.anomaly (submission_id, check_name, observed, expected, expected_low,
                       expected_high, score, direction, level, baseline, history_periods, detail)
                   values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
                [
                    (
                        a.submission_id,
                        a.check,
                        a.judgement.observed,
                        a.judgement.expected,
                        a.judgement.expected_low,
                        a.judgement.expected_high,
                        a.judgement.score,
                        a.judgement.direction,
                        a.judgement.level,
                        a.baseline,
                        a.history_periods,
                        Jsonb(a.detail),
                    )  # fmt: skip
                    for a in anomalies
                ],
            )


def anomaly_facts(anomaly: Anomaly) -> dict:
    """The anomaly as plain JSON-able facts (an XCom, an alert, thanrak.observe.words.describe)."""
    judgement = anomaly.judgement
    return {
        "submission_id": anomaly.submission_id,
        "province": anomaly.province,
        "dataset": anomaly.dataset,
        "period": anomaly.period,
        "check": anomaly.check,
        "observed": judgement.observed,
        "expected": judgement.expected,
        "expected_low": judgement.expected_low,
        "expected_high": judgement.expected_high,
        "score": round(judgement.score, 2),
        "direction": judgement.direction,
        "level": judgement.level,
        "baseline": anomaly.baseline,
        "history_periods": anomaly.history_periods,
        "detail": anomaly.detail,
    }


def usual_volumes(conn: psycopg.Connection, method: Method | None = None) -> dict:
    """Each slot's recent rows received (the in-force file of its last periods), for `thanrak
    check` to judge a file before it is sent with no warehouse at hand: {"method": ...,
    "slots": {province: {dataset: {"periods": [...], "rows": [...]}}}}, newest first, only
    slots with enough history to be judged on their own."""
    method = method or Method.from_contract()
    slots: dict = {}
    for dataset, provinces in _in_force(conn, list(DATASETS)).items():
        for province, periods in provinces.items():
            recent = [p for p in sorted(periods, reverse=True) if "rows" in periods[p]][
                : method.history_periods
            ]
            if len(recent) >= method.min_history:
                slots.setdefault(province, {})[dataset] = {
                    "periods": recent,
                    "rows": [int(periods[p]["rows"]) for p in recent],
                }
    return {"method": "robust_z", "slots": slots}
