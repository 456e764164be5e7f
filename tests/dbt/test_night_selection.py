"""A night's dbt selection (thanrak.transform.dbt_build.Selection) on the project's graph, as
`dbt ls` resolves it (no database): one dataset's files rebuild that dataset's scorecard measures
and no other's, and every night rebuilds the on-time measure, their union and the scorecard.
(The measures were one model that read every fact: one province's survey file recomputed the
activities, OTOP, plot and budget measures, 14 s at national scale, docs/scaling.md.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.measures import MEASURES_OF
from thanrak.transform.dbt_build import Selection

PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
# From the submission manifest, which changes every night, and what reads every part.
REBUILT_EVERY_NIGHT = {
    "int_scorecard_delivery_measures",
    "int_scorecard_measures_by_quarter",
    "fct_scorecard",
}


@pytest.fixture(scope="module")
def dbt_ls(tmp_path_factory):
    """`dbt ls` of the project's models: the names the given --select values select."""
    from dbt.cli.main import dbtRunner  # heavy import, only here

    target = tmp_path_factory.mktemp("dbt-target")
    runner = dbtRunner()

    def models(*select: str) -> set[str]:
        result = runner.invoke(
            [
                "ls",
                "--project-dir",
                str(PROJECT),
                "--profiles-dir",
                str(PROJECT),
                "--target-path",
                str(target),  # the first call parses, the others reuse its partial parse
                "--log-path",
                str(target / "logs"),
                "--quiet",
                "--resource-type",
                "model",
                "--output",
                "name",
                "--select",
                *select,
            ]
        )
        assert result.success, result.exception
        return set(result.result)

    with pytest.MonkeyPatch.context() as env:
        # profiles.yml reads the warehouse from the environment; ls never connects.
        for name in ("THANRAK_DBT_HOST", "THANRAK_DBT_USER", "THANRAK_DBT_DBNAME"):
            env.setenv(name, "parse-only")
        env.setenv("DO_NOT_TRACK", "1")
        yield models


def night(dbt_ls, *datasets: str) -> set[str]:
    """The models a night with files of `datasets` (and no full build) builds."""
    return dbt_ls(*Selection(datasets, "files of the night", "any").select())


def test_the_scorecard_reads_the_measures_of_every_dataset_and_the_on_time_measure(dbt_ls):
    """Guards the tests below: no part of the measures is left out of MEASURES_OF."""
    parts = dbt_ls("1+int_scorecard_measures_by_quarter") - {"int_scorecard_measures_by_quarter"}
    assert parts == {*MEASURES_OF.values(), "int_scorecard_delivery_measures"}


@pytest.mark.parametrize("dataset", MEASURES_OF)
def test_a_datasets_files_rebuild_its_scorecard_measures_and_no_others(dbt_ls, dataset):
    built = night(dbt_ls, dataset)
    assert built & set(MEASURES_OF.values()) == {MEASURES_OF[dataset]}
    assert built >= REBUILT_EVERY_NIGHT


def test_a_survey_only_night_leaves_the_other_facts_and_their_measures_alone(dbt_ls):
    built = night(dbt_ls, "bmn_households")
    assert not {"fct_activities", "fct_otop_sales", "fct_plot_progress", "fct_budget_disbursement"} & built
    assert "int_scorecard_activity_measures" not in built


def test_a_night_without_files_rebuilds_only_the_on_time_measure_and_what_reads_it(dbt_ls):
    built = night(dbt_ls)
    assert not built & set(MEASURES_OF.values())
    assert built >= REBUILT_EVERY_NIGHT
