"""The training-concept subcommands print the same numbers as the core functions behind the pages."""

import json

import pytest

from core.cli import main
from core.training.lr_training import ScheduleConfig, lr_range_test
from core.training.schedules import torch_lrs


def test_lr_schedule_prints_torchs_rates_and_the_range_test(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lr-schedule", "--schedule", "OneCycleLR", "--lr", "0.3", "--epochs", "30"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["lr"] == pytest.approx(torch_lrs("OneCycleLR", 0.3, 30), rel=1e-12)
    test = lr_range_test(ScheduleConfig(schedule="OneCycleLR", lr=0.3, epochs=30))
    assert report["range_test"] == {"steepest": test.steepest, "min_loss_over_10": test.min_over_10}
    assert "final_loss" not in report


def test_lr_schedule_trains_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lr-schedule", "--epochs", "12", "--train"]) == 0
    losses = json.loads(capsys.readouterr().out)["final_loss"]
    assert losses["scheduled"] == losses["constant"]  # StepLR keeps the base rate for 30 epochs


def test_bad_values_get_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["lr-schedule", "--epochs", "3"])
    assert "must be between 12 and 10000" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["bn-dropout", "--p", "1"])
    assert "must be in (0, 1)" in capsys.readouterr().err


def test_bn_dropout_reports_both_comparisons(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["bn-dropout", "--depth", "3", "--bn-epochs", "2", "--dropout-epochs", "2", "--p", "0.3"]) == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert set(report["batch_norm"]) == {"plain", "batch norm"}
    assert set(report["dropout"]) == {"no dropout", "dropout 0.3"}
    assert report["batch_norm"]["batch norm"] < report["batch_norm"]["plain"]
