"""The robust z-score judgement of one measure against its baseline (no warehouse)."""

from __future__ import annotations

import dataclasses

import pytest

from thanrak.observe.method import (
    LEVELS,
    Method,
    distance_sampling,
    judge,
    moved_most,
    share_sampling,
    shares_distance,
    shift_baseline,
    usual_shares,
)

METHOD = Method.from_contract()
STEADY = [240, 250, 260, 245, 255, 250]


def test_the_parameters_are_the_contract_s():
    assert list(METHOD.levels) == list(LEVELS)
    assert METHOD.levels["low"] < METHOD.levels["medium"] < METHOD.levels["high"]
    assert METHOD.alerts("high") and not METHOD.alerts("low")


@pytest.mark.parametrize(
    ("observed", "direction"),
    [(120, "lower"), (750, "higher"), (250, None), (280, None), (225, None)],
)
def test_a_file_total_is_judged_on_its_ratio_to_the_usual(observed, direction):
    judgement = judge(METHOD, "rows", observed, STEADY)
    assert judgement.direction == direction
    assert (judgement.level is None) == (direction is None)
    assert judgement.expected == pytest.approx(250)
    assert judgement.expected_low < 250 < judgement.expected_high
    # what the usual range allows is exactly what is not flagged
    assert judge(METHOD, "rows", judgement.expected_low * 1.01, STEADY).level is None
    assert judge(METHOD, "rows", judgement.expected_high * 1.05, STEADY).level is not None


def test_the_level_grows_with_the_distance():
    levels = [judge(METHOD, "sum:revenue_baht", 250 * f, STEADY).level for f in (1.5, 1.8, 3, 10)]
    assert levels == ["low", "medium", "high", "high"]


def test_a_steady_history_does_not_make_a_small_change_unusual():
    """Six identical months: the MAD is 0, the floor on the spread keeps a 20 % change ordinary."""
    assert judge(METHOD, "rows", 300, [250] * 6).level is None
    assert judge(METHOD, "rows", 600, [250] * 6).direction == "higher"
    assert judge(METHOD, "null_share:star_rating", 0.05, [0.0] * 6).level is None


def test_one_odd_month_in_the_history_does_not_hide_the_next():
    history = [250, 250, 255, 245, 2500, 250]  # a spike last year
    assert judge(METHOD, "rows", 2500, history).direction == "higher"


def test_early_files_and_familiar_code_shares_are_not_news():
    assert judge(METHOD, "days_late", -25, [-3, -2, -4, -3, -2]).level is None
    late = judge(METHOD, "days_late", 30, [-3, -2, -4, -3, -2])
    assert (late.direction, late.level) == ("later", "high")


def test_a_shifted_code_distribution_names_the_code_that_grew():
    history = [{"shop": 0.5, "online": 0.1, "fair": 0.4}, {"shop": 0.45, "online": 0.12, "fair": 0.43}] * 3
    usual = usual_shares(history)
    shifted = {"shop": 0.2, "online": 0.7, "fair": 0.1}
    judgement = judge(METHOD, "code_shift:channel", shares_distance(shifted, usual), shift_baseline(history))
    assert judgement.direction == "shifted" and judgement.level == "high"
    assert moved_most(shifted, usual) == {"code": "online", "share": 0.7, "usual_share": 0.11}
    ordinary = {"shop": 0.48, "online": 0.11, "fair": 0.41}
    assert (
        judge(METHOD, "code_shift:channel", shares_distance(ordinary, usual), shift_baseline(history)).level
        is None
    )


def test_a_distribution_must_move_far_enough_to_be_named():
    """Against a history that never moved, a small movement is many spreads away; below
    min_distance it is still not reported (a few rows changing code in a small file)."""
    history = [{"a": 0.5, "b": 0.5}] * 6
    small = {"a": 0.4, "b": 0.6}
    assert shares_distance(small, usual_shares(history)) == pytest.approx(0.1)
    narrow = dataclasses.replace(METHOD, min_spread={**METHOD.min_spread, "distance": 0.01})
    judgement = judge(narrow, "code_shift:x", 0.1, shift_baseline(history))
    assert judgement.score >= METHOD.levels["high"] and judgement.level is None
    assert judge(dataclasses.replace(narrow, min_distance=0.05), "code_shift:x", 0.1, [0.0]).level == "high"


def test_shares_distance():
    assert shares_distance({"a": 1.0}, {"a": 1.0}) == 0
    assert shares_distance({"a": 1.0}, {"b": 1.0}) == 1
    assert shares_distance({"a": 0.6, "b": 0.4}, {"a": 0.4, "b": 0.6}) == pytest.approx(0.2)


def test_a_small_file_is_not_judged_as_finely_as_a_large_one():
    """An optional column empty on 10 % of 500-row files: 4 of 20 rows empty is chance, 4 of
    every 10 over 500 rows is not."""
    history = [0.1, 0.11, 0.09, 0.1, 0.1]
    small = judge(METHOD, "null_share:x", 4 / 20, history, share_sampling(0.1, 20))
    large = judge(METHOD, "null_share:x", 0.4, history, share_sampling(0.1, 500))
    assert small.level is None and large.direction == "higher"
    assert share_sampling(0.0, 20) == pytest.approx((0.05 * 0.95 / 20) ** 0.5)  # kept off 0 by a row
    # 20 rows drawn from two codes of 50 % each miss them by about 0.09 on average
    assert distance_sampling({"a": 0.5, "b": 0.5}, 20) == pytest.approx(0.089, abs=0.001)
    history = [{"a": 0.5, "b": 0.5}] * 6
    chance = {"a": 0.35, "b": 0.65}  # 3 rows of 20 from a to b
    judgement = judge(
        METHOD, "code_shift:x", 0.15, shift_baseline(history), distance_sampling(usual_shares(history), 20)
    )
    assert shares_distance(chance, usual_shares(history)) == pytest.approx(0.15) and judgement.level is None
