"""`thanrak demo`: a whole night for 76 provinces, end to end, on generated data: `thanrak
generate` into the landing folder, then `thanrak run-night`; with `months`, the same for the
same day of the months before, oldest first, so the marts follow plots, producers and projects
from month to month. A few files of each night are made unusual for their province (the
generator's anomalies), so that the planners' report has unusual deliveries to show."""

from __future__ import annotations

import calendar
import datetime as dt
import time
from pathlib import Path

from thanrak.demo.generator import GeneratedNight, generate_night
from thanrak.orchestration.runner import describe_warehouse, process_night
from thanrak.settings import Settings
from thanrak.warehouse.connection import warehouse_url

DEMO_ANOMALIES = 6  # files of a demo night made unusual: every kind once, one kind twice


def write_generated(settings: Settings, out: Path, night: dt.date, **options) -> tuple[GeneratedNight, Path]:
    """Generates a night of files into `out`; the injected defects (what validation should
    catch) and anomalies (what the observability checks should flag) are listed in
    var/generated/<night>.json."""
    generated = generate_night(out, night, **options)
    listing = settings.var_dir / "generated" / f"{night}.json"
    listing.parent.mkdir(parents=True, exist_ok=True)
    listing.write_text(generated.to_json())
    return generated, listing


def demo_nights(night: dt.date, months: int) -> list[dt.date]:
    """`night` and the same day of the `months` - 1 months before it, oldest first; a day a
    shorter month lacks becomes its last day (31 March -> 28 or 29 February)."""
    nights = []
    for back in range(months - 1, -1, -1):
        index = night.year * 12 + night.month - 1 - back
        year, month = divmod(index, 12)
        last_day = calendar.monthrange(year, month + 1)[1]
        nights.append(dt.date(year, month + 1, min(night.day, last_day)))
    return nights


def run_demo(
    settings: Settings, night: dt.date, *, scale: float, months: int = 1, anomalies: int = DEMO_ANOMALIES
) -> int:
    """Each night in turn, generated (with `anomalies` unusual files) then run through the
    nightly DAG; the worst exit code."""
    nights = demo_nights(night, months)
    with warehouse_url(settings) as url:
        which = f"night {night}" if months == 1 else f"{months} nights, {nights[0]} to {nights[-1]}"
        print(f"Thanrak demo: {which}, {describe_warehouse(settings)}")
        codes = []
        for each in nights:
            started = time.monotonic()
            generated, listing = write_generated(
                settings, settings.landing_dir, each, scale=scale, anomalies=anomalies
            )
            seconds = time.monotonic() - started
            print(
                f"  {each}: generated {len(generated.files)} files, {generated.total_rows:,} rows, "
                f"{len(generated.defects)} injected defects, {len(generated.anomalies)} unusual files "
                f"-> {settings.landing_dir}"
            )
            codes.append(
                process_night(
                    settings,
                    url,
                    each,
                    timings={"generate": seconds},
                    more_paths=(
                        (
                            "Injected defects and anomalies (what validation and the observability "
                            "checks should have caught)",
                            listing,
                        ),
                    ),
                )
            )
        return max(codes)
