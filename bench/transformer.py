"""The Transformers page's claims and speed: the default GPT against the 5-minute goal, the LSTM of the
Recurrent networks page beside it, the live page's share of the headless pace, and the Try-this numbers.

    nice -n 10 .venv/bin/python bench/transformer.py goal [--minutes 5]
    nice -n 10 .venv/bin/python bench/transformer.py lstm [--minutes 5]
    nice -n 10 .venv/bin/python bench/transformer.py live [--secs 30]
    nice -n 10 .venv/bin/python bench/transformer.py overhead [--secs 10] [--rounds 6]
    nice -n 10 .venv/bin/python bench/transformer.py try [--steps 600]

goal: the page's defaults (TransformerConfig()) on the built-in corpus, one torch thread, trained for
  --minutes of training time. The validation loss is the page's (64 fixed held-out windows, every 25 steps);
  printed after about 5 s, 10 s, 1 minute and 5 minutes, the first step at which it is ≤ 2.0 nats per
  character, and at the end the loss over the whole held-out split (every window of 64, not 64 of them).
lstm: the same text, split, windows per step (12), window length (64), validation windows and seed, for the
  same minutes, for the GPT and two nn.LSTM models (core.rnn.model.SequenceModel, Adam, clip 1.0 as on the
  RNN page): the RNN page's default (hidden 32, 1 layer, lr 0.01) and one of about the GPT's parameters
  (hidden 256, 2 layers, lr 0.003). Validation loss at equal steps and at equal seconds.
live: `python -m core train-transformer --seconds 20` (headless steps/s, measured right before), then a fresh
  server, the page opened in headless Chromium at 1400x1000, Play, and for --secs seconds the Step counter
  sampled every 10 ms in the page: the visible steps/s and its share of the headless pace, the pictures
  (none blank or broken in --shots screenshots), then Pause.
overhead: the live page's server-side work without the browser (see run_overhead), in alternating rounds.
try: each Try-this experiment at the page's defaults for --steps steps (seed 0), and samples at temperature
  0.2 and 1.5 from the default model after --steps steps.

Prints Markdown tables and the load average (`os.getloadavg`) before and after.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import core  # noqa: E402, F401  (one torch thread)
from core.rnn.data import windows  # noqa: E402
from core.rnn.model import SequenceModel, model_input, task_loss  # noqa: E402
from core.runner import Runner  # noqa: E402
from core.transformer import experiments  # noqa: E402
from core.transformer.config import TransformerConfig  # noqa: E402
from core.transformer.figures import loss_picture  # noqa: E402
from core.transformer.inside import sample  # noqa: E402
from core.transformer.job import EVAL_EVERY, TransformerJob  # noqa: E402

TARGET = 2.0  # nats per character
MARKS = (5, 10, 60, 300)  # seconds at which the goal run reports its validation loss
LSTMS = {  # name: hidden, layers, Adam's learning rate
    "LSTM, the RNN page's default (hidden 32, 1 layer)": (32, 1, 0.01),
    "LSTM, hidden 256, 2 layers": (256, 2, 0.003),
}


def load() -> str:
    """The 1, 5 and 15 minute load averages."""
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


@torch.no_grad()
def full_val_loss(job: TransformerJob) -> float:
    """The GPT's loss over every non-overlapping window of the held-out split."""
    T = job.config.context
    codes = job.val_codes[: (len(job.val_codes) - 1) // T * T + 1]
    x, y = codes[:-1].view(-1, T), codes[1:].view(-1, T)
    job.model.eval()
    return float(
        np.mean([job.model(xb, yb)[1].item() for xb, yb in zip(x.split(256), y.split(256), strict=True)])
    )


class LSTMRun:
    """An LSTM on the GPT run's own split, batches of the same shape and validation windows."""

    def __init__(self, job: TransformerJob, hidden: int, layers: int, lr: float):
        self.vocab, self.train_codes, self.val = len(job.alphabet), job.train_codes, job.val
        self.batch, self.length = job.config.batch, job.config.context
        torch.manual_seed(job.config.seed)
        self.model = SequenceModel("LSTM", self.vocab, hidden, layers, self.vocab)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr)
        self.gen = torch.Generator().manual_seed(job.config.seed)
        self.parameters = sum(p.numel() for p in self.model.parameters())
        self.steps, self.seconds = 0, 0.0

    def step(self) -> None:
        start = time.perf_counter()
        x, y = windows(self.train_codes, self.batch, self.length, self.gen)
        out, _ = self.model(model_input(x, self.vocab))
        loss = task_loss("chars", out, y)
        self.optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()
        self.steps += 1
        self.seconds += time.perf_counter() - start

    @torch.no_grad()
    def val_loss(self) -> float:
        """The loss on the GPT's validation windows; its time counts, as the GPT job's measuring does."""
        start = time.perf_counter()
        x, y = self.val
        loss = task_loss("chars", self.model(model_input(x, self.vocab))[0], y).item()
        self.seconds += time.perf_counter() - start
        return loss


def history(step, val_loss, clock, seconds: float) -> list[tuple[int, float, float]]:
    """Train with `step()` for `seconds` of `clock()`, reading `val_loss()` every EVAL_EVERY steps (when the
    GPT's job measures it): (steps, seconds, validation loss) each time."""
    points, steps = [(0, 0.0, val_loss())], 0
    while clock() < seconds:
        step()
        steps += 1
        if steps % EVAL_EVERY == 0:
            points.append((steps, clock(), val_loss()))
    return points


def at_seconds(points: list[tuple[int, float, float]], seconds: float) -> tuple[int, float] | None:
    """(steps, loss) of the last measurement at or before `seconds`."""
    before = [p for p in points if p[1] <= seconds]
    return (before[-1][0], before[-1][2]) if before and points[-1][1] >= seconds * 0.98 else None


def at_steps(points: list[tuple[int, float, float]], steps: int) -> float | None:
    """The loss measured at `steps`, if it was."""
    return next((p[2] for p in points if p[0] == steps), None)


def run_goal(minutes: float) -> None:
    config = TransformerConfig(steps=10**9)
    job = TransformerJob(config)
    print(
        f"Defaults: {config.layers} layers, {config.heads} heads, width {config.width}, context "
        f"{config.context}, batch {config.batch}, AdamW lr {config.lr}, dropout {config.dropout}, "
        f"{job.parameters:,} parameters, "
        f"{len(job.text):,} characters ({len(job.alphabet)} distinct)\n"
    )
    points = history(job.step, lambda: job.val_losses[-1], lambda: job.seconds, minutes * 60)
    reached = next(((s, t, v) for s, t, v in points if v <= TARGET), None)
    print("| after | steps | validation loss (nats/char) |\n|---|---:|---:|")
    for mark in MARKS:
        found = at_seconds(points, mark)
        if found:
            print(f"| {mark} s | {found[0]:,} | {found[1]:.3f} |")
    steps_per_s = job.steps / job.seconds
    print(f"\n{job.steps:,} steps in {job.seconds:.0f} s of training: {steps_per_s:.1f} steps/s ({load()})")
    if reached:
        print(
            f"validation loss ≤ {TARGET} first at step {reached[0]:,}, {reached[1]:.0f} s ({reached[2]:.3f})"
        )
    else:
        print(f"validation loss never ≤ {TARGET} within {minutes:g} minutes")
    print(f"at the end, over the whole held-out split: {full_val_loss(job):.3f} nats per character")


def run_lstm(minutes: float) -> None:
    job = TransformerJob(TransformerConfig(steps=10**9))
    gpt_points = history(job.step, lambda: job.val_losses[-1], lambda: job.seconds, minutes * 60)
    rows = [
        (
            f"GPT, the page's default ({job.config.layers} layers, width {job.config.width})",
            job.parameters,
            gpt_points,
        )
    ]
    rows[0] = (*rows[0], job.steps / job.seconds)
    print(f"GPT done ({load()})", flush=True)
    for name, (hidden, layers, lr) in LSTMS.items():
        lstm = LSTMRun(job, hidden, layers, lr)
        points = history(lstm.step, lstm.val_loss, lambda: lstm.seconds, minutes * 60)  # noqa: B023
        rows.append((f"{name}, Adam lr {lr}", lstm.parameters, points, lstm.steps / lstm.seconds))
        print(f"{name} done ({load()})", flush=True)
    step_marks = (250, 500, 1000, 2000)
    second_marks = (10, 60, 300)
    print(
        "\n| model | parameters | steps/s | "
        + " | ".join(f"val @ {s:,} steps" for s in step_marks)
        + " | "
        + " | ".join(f"val @ {s} s (steps)" for s in second_marks)
        + " |\n|---|---:|---:|"
        + "---:|" * (len(step_marks) + len(second_marks))
    )
    for name, parameters, points, rate in rows:
        by_steps = [at_steps(points, s) for s in step_marks]
        by_seconds = [at_seconds(points, s) for s in second_marks]
        print(
            f"| {name} | {parameters:,} | {rate:.1f} | "
            + " | ".join(f"{v:.3f}" if v is not None else "–" for v in by_steps)
            + " | "
            + " | ".join(f"{v[1]:.3f} ({v[0]:,})" if v else "–" for v in by_seconds)
            + " |"
        )


# The Step counter, sampled every 10 ms in the page: (time, value) at each change.
STEP_SAMPLER = """() => { window.__steps = []; let last = null; window.__stepTimer = setInterval(() => {
  const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
    .find(m => m.innerText.startsWith('Step'));
  const v = m ? m.querySelector('[data-testid="stMetricValue"]').innerText : null;
  if (v !== last) { window.__steps.push([performance.now(), v]); last = v; } }, 10); }"""


def run_live(secs: float, shots: int, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, StreamlitServer
    from tests.e2e.live_probe import SHOT, blank_boxes

    out.mkdir(parents=True, exist_ok=True)
    before = load()
    done = subprocess.run(
        [sys.executable, "-m", "core", "train-transformer", "--seconds", "20"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    headless = json.loads(done.stdout)["steps_per_second"]
    server = StreamlitServer(out)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{server.url}/transformer")
            page.get_by_role("button", name="Play", exact=True).wait_for(timeout=180_000)
            time.sleep(2)
            page.get_by_role("button", name="Play", exact=True).click()
            page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=60_000)
            time.sleep(3)  # the worker is up and the first redraws are in
            page.evaluate(STEP_SAMPLER)
            seen = []
            for i in range(shots):
                time.sleep(secs / shots)
                path = out / f"transformer_running_{i:02d}.png"
                info = page.evaluate(SHOT)
                page.screenshot(path=path)
                info["blank"] = blank_boxes(path, info.pop("boxes"))
                seen.append(info)
            changes = page.evaluate("clearInterval(window.__stepTimer), window.__steps")
            page.get_by_role("button", name="Pause", exact=True).click()
            page.get_by_role("button", name="Play", exact=True).wait_for(timeout=60_000)
            browser.close()
    finally:
        server.stop()
    steps = [(t, int(v.replace(",", ""))) for t, v in changes if v]
    visible = (steps[-1][1] - steps[0][1]) / ((steps[-1][0] - steps[0][0]) / 1000)
    print("| headless steps/s | page steps/s | share | shots: pictures / broken / blank | load average |")
    print("|---:|---:|---:|---|---|")
    print(
        f"| {headless:.1f} | {visible:.1f} | {visible / headless:.0%} | "
        f"{sorted({s['pictures'] for s in seen})} / {sum(s['broken'] for s in seen)} / "
        f"{sum(s['blank'] for s in seen)} of {len(seen)} | {before} → {load()} |"
    )


def run_overhead(secs: float, rounds: int) -> None:
    """The live page's server-side work without a browser: the job in a core.runner.Runner while this thread
    does what the page's fragments do (a heartbeat, a snapshot and the 640x300 loss picture twice a second, an
    80-character sample from a copy every 10 s), against the same job stepped headless; alternating rounds,
    so that the machine's load drifts over both alike."""
    print("| round | headless steps/s | runner + drawing steps/s | share | load average |")
    print("|---:|---:|---:|---:|---|")
    for k in range(rounds):
        job = TransformerJob(TransformerConfig(steps=10**9))
        start, first = time.perf_counter(), job.steps
        while time.perf_counter() - start < secs:
            job.step()
        headless = (job.steps - first) / (time.perf_counter() - start)
        runner = Runner(TransformerJob(TransformerConfig(steps=10**9)))
        runner.play()
        time.sleep(1.0)
        start, first, sampled = time.perf_counter(), runner.read(lambda j: j.steps), 0.0
        while time.perf_counter() - start < secs:
            runner.heartbeat()
            snap = runner.read(lambda j: j.snapshot())
            loss_picture(snap.losses, snap.eval_steps, snap.val_losses, math.log(76), 640, 300)
            if time.perf_counter() - sampled > 10:
                probe = runner.read(lambda j: j.probe())
                sample(probe.model, probe.alphabet, "Ham.", 80, 1.0, 0)
                sampled = time.perf_counter()
            time.sleep(0.5)
        live = (runner.read(lambda j: j.steps) - first) / (time.perf_counter() - start)
        runner.close()
        print(f"| {k + 1} | {headless:.1f} | {live:.1f} | {live / headless:.0%} | {load()} |", flush=True)


def run_try(steps: int) -> None:
    config = TransformerConfig(steps=steps)
    print(f"Each run: the page's defaults, seed 0, {steps} steps.\n")
    print("| experiment | run | training loss | validation loss | last position's loss | seconds |")
    print("|---|---|---:|---:|---:|---:|")
    for name, function in (
        ("causal mask", experiments.causal_mask),
        ("positions", experiments.positions),
        ("heads", experiments.heads),
        ("context", experiments.context),
    ):
        for run, o in function(config).items():
            print(
                f"| {name} | {run} | {o.train_loss:.3f} | {o.val_loss:.3f} | {o.last_position_loss:.3f} | "
                f"{o.seconds:.0f} |",
                flush=True,
            )
    job = experiments.train(config)
    print(f"\nSamples of the default model after {steps} steps, prompt a line break, seed 0:\n")
    for t, w in experiments.temperature(job, (0.2, 1.0, 1.5)).items():
        print(f"temperature {t}: known words {w.known_words:.0%}, distinct words {w.distinct_words:.0%}")
        print("    " + w.text[:160].replace("\n", "\n    ") + "\n")
    print(load())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("part", choices=("goal", "lstm", "live", "overhead", "try"))
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--secs", type=float, default=30.0)
    parser.add_argument("--shots", type=int, default=10)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "transformer")
    args = parser.parse_args()
    print(f"Before: {load()}\n")
    if args.part == "goal":
        run_goal(args.minutes)
    elif args.part == "lstm":
        run_lstm(args.minutes)
    elif args.part == "live":
        run_live(args.secs, args.shots, args.out)
    elif args.part == "overhead":
        run_overhead(args.secs, args.rounds)
    else:
        run_try(args.steps)
    print(f"\nAfter: {load()}")


if __name__ == "__main__":
    main()
