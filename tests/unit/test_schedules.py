"""The schedule registry's hand-written curves against torch's own schedulers (`get_last_lr()`)."""

import numpy as np
import pytest

from core.training.schedules import SCHEDULES, schedule_code, schedule_lrs, scripted_losses, torch_lrs


@pytest.mark.parametrize("name", list(SCHEDULES))
@pytest.mark.parametrize("epochs", [12, 100, 150])
def test_hand_curve_equals_torch_get_last_lr(name: str, epochs: int) -> None:
    losses = scripted_losses(epochs)
    hand = schedule_lrs(name, 0.05, epochs, losses)
    assert len(hand) == epochs
    np.testing.assert_allclose(hand, torch_lrs(name, 0.05, epochs, losses), rtol=1e-12, atol=0)


def test_the_slides_step_schedule() -> None:
    lrs = schedule_lrs("StepLR", 0.1, 100)
    assert (
        lrs[29] == pytest.approx(0.1) and lrs[30] == pytest.approx(0.01) and lrs[60] == pytest.approx(0.001)
    )


def test_plateau_is_driven_by_the_losses_it_is_given() -> None:
    falling = [1.0 / (t + 1) for t in range(60)]  # keeps improving: never reduced
    assert schedule_lrs("ReduceLROnPlateau", 0.1, 60, falling) == [0.1] * 60
    plateau = scripted_losses(60)  # new best at 25, then 11 epochs without one: epoch 37 runs at 0.01
    lrs = schedule_lrs("ReduceLROnPlateau", 0.1, 60, plateau)
    first_cut = next(t for t, lr in enumerate(lrs) if lr < 0.1)
    assert first_cut == 37 and lrs[first_cut] == pytest.approx(0.01)
    assert lrs == torch_lrs("ReduceLROnPlateau", 0.1, 60, plateau)
    with pytest.raises(ValueError, match="needs a loss"):
        schedule_lrs("ReduceLROnPlateau", 0.1, 60)


def test_one_cycle_peaks_at_the_base_rate() -> None:
    lrs = schedule_lrs("OneCycleLR", 0.2, 100)
    assert lrs[0] == pytest.approx(0.2 / 25) and max(lrs) == pytest.approx(0.2, rel=1e-3)
    assert lrs[-1] == pytest.approx(0.2 / 25 / 1e4)


def test_code_has_this_runs_numbers() -> None:
    assert "T_max=40" in schedule_code("CosineAnnealingLR", 0.1, 40)
    assert "T_max=30" in schedule_code("Warm-up + cosine", 0.1, 40)
    assert "max_lr=0.3" in schedule_code("OneCycleLR", 0.3, 40)
