"""The RNN page's “PyTorch for these settings” scripts print the numbers the page shows."""

import pytest

from core.cli import main
from core.rnn.config import RNNConfig
from core.rnn.export import metric_line, seed_script, train_script
from core.rnn.job import EVAL_EVERY, RNNJob
from core.rnn.simple import build_seed_model, hand_recurrence
from tests.generated import run_generated


def test_seed_script_prints_the_pages_output(tmp_path):
    model, x = build_seed_model(4)
    printed = run_generated(seed_script(4), tmp_path).splitlines()
    assert printed[0] == "output: " + " ".join(f"{v:.4f}" for v in model(x)[0].tolist())
    difference = float(printed[1].split(":")[1])
    assert difference <= 1e-6
    assert (hand_recurrence(model.rnn, x)[-1] - model.rnn(x)[1][0, 0]).abs().max() <= 1e-6


@pytest.mark.parametrize(
    "config",
    [
        RNNConfig(cell="GRU", hidden=8, seed=3),
        RNNConfig(task="sine", cell="RNN", hidden=8, layers=2, clip=0.0, sum_of_sines=True, seq_len=20),
        RNNConfig(task="chars", hidden=16, seq_len=16, text="héllo wörld, hello world. " * 20),
    ],
    ids=["adding", "sine", "chars"],
)
def test_train_script_reproduces_the_run(config, tmp_path):
    job = RNNJob(config)
    for _ in range(EVAL_EVERY):
        job.step()
    assert job.eval_steps[-1] == EVAL_EVERY
    printed = run_generated(train_script(config, EVAL_EVERY), tmp_path).strip()
    words, number = printed.rsplit(" ", 1)
    expected_words, _ = metric_line(config.task, EVAL_EVERY, job.metrics[-1]).rsplit(" ", 1)
    assert words == expected_words
    assert float(number) == pytest.approx(job.metrics[-1], rel=1e-4)


def test_cli_trains_like_the_page_and_rejects_bad_flags(tmp_path, capsys):
    script = tmp_path / "run.py"
    assert (
        main(["train-rnn", "--cell", "RNN", "--hidden", "8", "--steps", "25", "--export", str(script)]) == 0
    )
    job = RNNJob(RNNConfig(cell="RNN", hidden=8, steps=25))
    while not job.done:
        job.step()
    assert capsys.readouterr().out.splitlines()[0] == metric_line("adding", 25, job.metrics[-1])
    assert "STEPS = 0.01, 1.0, 32, 50, 0, 25" in script.read_text().replace(
        "LR, CLIP, BATCH, SEQ_LEN, SEED, ", ""
    )
    assert main(["train-rnn", "--seq-len", "1000"]) == 2
    assert capsys.readouterr().out.strip() == "error: Sequence length must be between 4 and 200."
    assert main(["train-rnn", "--task", "chars", "--text", str(script.with_name("missing.txt"))]) == 2
    assert capsys.readouterr().out.startswith("error: ")
