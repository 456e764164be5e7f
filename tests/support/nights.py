"""A night's waiting files through the pipeline's per-file work, as the DAG's mapped tasks do."""

from __future__ import annotations

import datetime as dt

from thanrak.pipeline import Stages


def ingest_night(stages: Stages, night: dt.date) -> None:
    """Every file waiting for `night`, province by province, through `Stages.process_batch`."""
    for batch in stages.discover_by_province("nightly", night):
        stages.process_batch("nightly", night, batch)
