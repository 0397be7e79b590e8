"""The live tick's training slice: what the last cycle's overhead leaves of a tick."""

import pytest

from core.playground.pacing import MIN_SLICE, TICK, cycle_overhead, training_slice


def test_overhead_is_the_cycle_less_its_training():
    assert cycle_overhead(start=10.10, last_start=10.0, last_train=0.04) == pytest.approx(0.06)


def test_first_tick_trains_half_a_tick():
    # The page passes the tick's own start as the last start when there was none: no overhead yet.
    assert training_slice(cycle_overhead(5.0, 5.0, 0.0)) == TICK / 2
    assert training_slice(0.0, tick=0.2) == 0.1


def test_training_fills_what_the_overhead_leaves():
    assert training_slice(0.02) == pytest.approx(TICK - 0.02)
    assert training_slice(0.02) + 0.02 == pytest.approx(TICK)


def test_slow_drawing_still_leaves_a_minimum_slice():
    assert training_slice(TICK - 0.001) == MIN_SLICE
    assert training_slice(5 * TICK) == MIN_SLICE


def test_never_more_than_a_tick():
    assert training_slice(1e-9) <= TICK
    assert training_slice(0.001, tick=0.005) == 0.005  # a tick shorter than the floor caps the slice
