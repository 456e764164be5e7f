"""What a 'night' is. A province's deliveries of night D are the files that arrived before
01:00 Bangkok time on D+1, when the nightly run starts. A nightly run takes every file delivered
by then and not processed yet (so nothing a missed run left behind is lost); a backfill of a
past night takes exactly the files of that night's window, after the cut-off of the night
before. Light to import: DAG files use it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

BANGKOK_TZ = ZoneInfo("Asia/Bangkok")
CUTOFF_TIME = dt.time(1, 0)


def night_cutoff(night: dt.date) -> dt.datetime:
    """The moment after which a delivery belongs to the next night."""
    return dt.datetime.combine(night + dt.timedelta(days=1), CUTOFF_TIME, BANGKOK_TZ)


def night_window_start(night: dt.date) -> dt.datetime:
    """The cut-off of the night before: a backfill of `night` takes files delivered after it."""
    return night_cutoff(night - dt.timedelta(days=1))


def night_of(moment: dt.datetime) -> dt.date:
    """The night a run at `moment` processes: the Bangkok day before."""
    return moment.astimezone(BANGKOK_TZ).date() - dt.timedelta(days=1)
