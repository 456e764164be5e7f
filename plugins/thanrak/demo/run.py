"""`thanrak demo`: a whole night for 76 provinces, end to end, on generated data: `thanrak
generate` into the landing folder, then `thanrak run-night`."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from thanrak.demo.generator import GeneratedNight, generate_night
from thanrak.orchestration.runner import describe_warehouse, process_night
from thanrak.settings import Settings
from thanrak.warehouse.connection import warehouse_url


def write_generated(settings: Settings, out: Path, night: dt.date, **options) -> tuple[GeneratedNight, Path]:
    """Generates a night of files into `out`; the injected defects (what validation should
    catch) are listed in var/generated/<night>.json."""
    generated = generate_night(out, night, **options)
    listing = settings.var_dir / "generated" / f"{night}.json"
    listing.parent.mkdir(parents=True, exist_ok=True)
    listing.write_text(generated.to_json())
    return generated, listing


def run_demo(settings: Settings, night: dt.date, *, scale: float) -> int:
    with warehouse_url(settings) as url:
        print(f"Thanrak demo: night {night}, {describe_warehouse(settings)}")
        started = time.monotonic()
        generated, listing = write_generated(settings, settings.landing_dir, night, scale=scale)
        seconds = time.monotonic() - started
        print(
            f"  generated {len(generated.files)} files, {generated.total_rows:,} rows, "
            f"{len(generated.defects)} injected defects -> {settings.landing_dir}"
        )
        return process_night(
            settings,
            url,
            night,
            timings={"generate": seconds},
            more_paths=(("Injected defects (what validation should have caught)", listing),),
        )
