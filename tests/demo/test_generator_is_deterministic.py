"""The generator writes the same bytes, with the same delivery times, for the same night, seed
and options: so `make demo` twice for one night registers nothing new (issue 11, defect 5)."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import psycopg

from thanrak.demo.generator import generate_night
from thanrak.pipeline import Stages
from thanrak.settings import Settings

NIGHT = dt.date(2026, 11, 22)
# Every dataset; half the files workbooks, so that workbooks are compared whatever the draw.
OPTIONS = {"provinces": ["30", "31", "32"], "scale": 0.05, "xlsx_share": 0.5}


def _next_clock_tick() -> None:
    """Waits long enough for anything stamped with the clock to differ: zip entries keep
    even seconds, so a copy made within the same two seconds could match by chance."""
    time.sleep(2.1)


def _files(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        path.relative_to(folder).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_same_night_is_the_same_bytes_and_delivery_times(tmp_path):
    first = generate_night(tmp_path / "first", NIGHT, **OPTIONS)
    _next_clock_tick()
    second = generate_night(tmp_path / "second", NIGHT, **OPTIONS)
    assert second.to_json() == first.to_json()
    assert sum(name.endswith(".xlsx") for name in first.files) >= 2  # workbooks are compared too
    assert any(name.endswith(".csv") for name in first.files)
    a, b = _files(tmp_path / "first"), _files(tmp_path / "second")
    assert sorted(a) == sorted(b) == sorted(first.files)
    differing = [name for name in a if a[name][0] != b[name][0]]
    assert differing == []
    moved = [name for name in a if a[name][1] != b[name][1]]
    assert moved == []


def test_a_night_generated_again_over_its_own_files_registers_nothing_new(warehouse, tmp_path):
    """What `make demo` twice does: generate into the landing folder, run the night; generate the
    same night into the same folder again (overwriting every file), run the night again. Then
    the same files delivered again a minute later: the same bytes in the same slots are
    re-deliveries, not new revisions."""
    settings = Settings.in_folder(tmp_path / "var", warehouse)
    stages = Stages(warehouse, settings)

    def run() -> tuple[int, set[tuple[str, int, str]]]:
        for batch in stages.discover_by_province("test", NIGHT):
            stages.process_batch("test", NIGHT, batch)
        with psycopg.connect(warehouse) as conn:
            submissions = conn.execute("select source_key, revision, status from ops.submission").fetchall()
        return len(submissions), set(submissions)

    def deliveries() -> int:
        with psycopg.connect(warehouse) as conn:
            return conn.execute("select count(*) from ops.delivery").fetchone()[0]

    generated = generate_night(settings.landing_dir, NIGHT, **OPTIONS)
    first = run()
    assert first[0] == len(generated.files) == len(first[1])
    assert {revision for _, revision, _ in first[1]} == {1}
    delivered = deliveries()

    _next_clock_tick()
    generate_night(settings.landing_dir, NIGHT, **OPTIONS)
    assert stages.discover_by_province("test", NIGHT) == []  # nothing waiting
    assert run() == first
    assert deliveries() == delivered  # the same deliveries: same names, sizes and times

    for name in generated.files:  # delivered again, still before the night's cut-off at 01:00
        path = settings.landing_dir / name
        stamp = path.stat().st_mtime + 60
        os.utime(path, (stamp, stamp))
    assert run() == first
    assert deliveries() == 2 * delivered
