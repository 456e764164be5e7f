"""The night summary's stage timings say what a stage's runs were: files for the per-file steps,
provinces for the statistics refreshed after each province's batch."""

from __future__ import annotations

from thanrak.report.summary import stage_lines


def test_each_stage_counts_its_runs_in_its_own_unit():
    stages = [
        {"stage": "discover", "calls": 1, "seconds": 0.67, "busy_seconds": 0.67},
        {"stage": "extract", "calls": 689, "seconds": 35.44, "busy_seconds": 13.23},
        {"stage": "refresh_statistics", "calls": 76, "seconds": 35.08, "busy_seconds": 1.84},
        {"stage": "observe", "calls": 2, "seconds": 1.5, "busy_seconds": 0.9},
    ]
    assert stage_lines(stages) == [
        "- discover: 0.67 s",
        "- extract: 35.44 s over 689 files, 13.23 s busy",
        "- refresh_statistics: 35.08 s over 76 provinces, 1.84 s busy",
        "- observe: 1.5 s over 2 runs, 0.9 s busy",
    ]
