"""Visible pace of the live Training playground in a real browser, beside the engine's own pace; how fast
Pause lands and how soon a new learning rate is trained.

For each setup: first `python -m core train-playground` for the same settings (the headless engine's
epochs/s, measured right before, so that a busy machine shows as a lower share), then a fresh
`streamlit run app.py` on a free localhost port, the playground opened with the setup's link in headless
Chromium, Play pressed, and for --secs seconds, sampled inside the page every 10 ms: the epoch counter and
the source of every picture. Meanwhile --shots screenshots, each checked for missing, broken or blank
pictures and for where every picture and chart sits (a layout jump shows as a second layout). Then Pause is
pressed at once and the time from the click to the counter's last change is measured.

    .venv/bin/python bench/live.py                       # setups A and C, 10 s, 10 shots each
    .venv/bin/python bench/live.py --setups C --secs 20 --shots 20
    .venv/bin/python bench/live.py --setups limits
    .venv/bin/python bench/live.py --setups A --sessions 1 2 3 4   # sessions training at once on one server
    .venv/bin/python bench/live.py --setups A C limits --pause-tries 20 --lr-tries 10   # responsiveness

Responsiveness (--pause-tries, --lr-tries; the figures the browser tests do not assert): on a fresh server
per setup, Play, then at --pause-tries random moments of a run (0.2–2 s in) Pause: seconds from the click
(the mousedown event in the page) to the counter's last change, once the page has settled and the counter
has held for a second (and whether it held). Then, while it plays, --lr-tries learning-rate changes at random
moments (the slider's arrow keys, 0.03 <-> 0.1): seconds from the key press to the first redraw that shows
the new rate (the rate of the next epoch), to the first epoch trained at it (the counter's next change after
that), and the epochs trained between the key press and that redraw. The load average (1 min) is printed
before and after each setup, and a summary line per setup at the end.

Setups: A = the page's defaults; C = spiral, all 7 features, 6 hidden layers of 8; limits = spiral, all 7
features, 6 hidden layers of 32, 2,000 points (the widgets' limits). Writes screenshots and results to --out
(bench/out/live).
"""

import argparse
import itertools
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, StreamlitServer  # noqa: E402
from tests.e2e.live_probe import COUNTER, SAMPLER, SHOT, blank_boxes  # noqa: E402

ALL_FEATURES = "x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2"
SETUPS = {
    "A": {},
    "C": {"dataset": "spiral", "features": ALL_FEATURES, "hidden": "8,8,8,8,8,8"},
    "limits": {
        "dataset": "spiral",
        "features": ALL_FEATURES,
        "hidden": "32,32,32,32,32,32",
        "points": "2000",
    },
}
ENGINE_EPOCHS = {"A": 6000, "C": 2000, "limits": 60}  # a few seconds of the headless engine each


def engine_pace(query: dict[str, str], epochs: int) -> float:
    """Epochs per second of the headless engine (the CLI) for the same settings."""
    flags = [arg for name, value in query.items() for arg in (f"--{name.replace('_', '-')}", value)]
    done = subprocess.run(
        [sys.executable, "-m", "core", "train-playground", *flags, "--epochs", str(epochs), "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    return json.loads(done.stdout)["epochs_per_second"]


def epoch_of(text: str | None) -> int | None:
    try:
        return int(str(text).replace(",", ""))
    except ValueError:
        return None


SETTLED = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# On the next key press: when, the epoch and the learning rate shown; then when a redraw first shows another
# rate (and its epoch), and when the counter first moves past that epoch: the first epoch at the new rate.
LR_CHANGE = """() => { const shown = label => {
    const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
      .find(m => m.innerText.startsWith(label));
    return m ? m.querySelector('[data-testid="stMetricValue"]').innerText : null; };
  const epoch = () => parseInt(String(shown('Epoch')).replace(/,/g, ''));
  window.__lr = null;
  document.addEventListener('keydown', () => {
    window.__lr = {key: performance.now(), keyEpoch: epoch(), from: shown('Learning rate')}; },
    {capture: true, once: true});
  window.__lrTimer = setInterval(() => { const r = window.__lr; const lr = shown('Learning rate');
    if (r === null) return;
    if (r.shown === undefined && lr !== null && lr !== r.from) {
      Object.assign(r, {shown: performance.now(), shownEpoch: epoch(), to: lr}); }
    else if (r.shown !== undefined && epoch() > r.shownEpoch) {
      Object.assign(r, {trained: performance.now(), trainedEpoch: epoch()});
      clearInterval(window.__lrTimer); }
  }, 5); }"""


def time_pause(page: Page) -> tuple[float, bool]:
    """Press Pause; seconds from the click (the mousedown event in the page) to the counter's last change,
    once the page has settled and the counter has had a second to move again; and whether it held then."""
    page.evaluate(COUNTER)
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=60_000)
    page.wait_for_selector(SETTLED, timeout=60_000)
    hold_from = page.evaluate("performance.now()")
    time.sleep(1.2)
    clicked, changes = page.evaluate("clearInterval(window.__counter), [window.__clicked, window.__changes]")
    return round(max(changes[-1][0] - clicked, 0) / 1000, 3), changes[-1][0] < hold_from


def measure(name: str, secs: float, shots: int, out: Path) -> dict:
    """One setup: engine pace, then the browser's visible pace, pictures, layouts and pause."""
    query = SETUPS[name]
    load_before = os.getloadavg()[0]
    engine = engine_pace(query, ENGINE_EPOCHS[name])
    server = StreamlitServer(out)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            link = "&".join(f"{k}={v}" for k, v in query.items())
            page.goto(f"{server.url}/playground" + (f"?{link}" if link else ""))
            page.get_by_role("button", name="Play", exact=True).wait_for(timeout=120_000)
            time.sleep(1)
            page.get_by_role("button", name="Play", exact=True).click()
            page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=30_000)
            time.sleep(0.5)
            page.evaluate(SAMPLER)
            seen = []
            for i in range(shots):
                time.sleep(secs / shots)
                path = out / f"{name}_running_{i:02d}.png"
                info = page.evaluate(SHOT)
                page.screenshot(path=path)
                info["blank"] = blank_boxes(path, info.pop("boxes"))
                seen.append(info)
            samples = page.evaluate("clearInterval(window.__timer), window.__samples")
            pause_s, _ = time_pause(page)
            browser.close()
    finally:
        server.stop()
    span = (samples[-1][0] - samples[0][0]) / 1000
    epochs = [e for e in (epoch_of(s[1]) for s in samples) if e is not None]
    visible = (epochs[-1] - epochs[0]) / span if len(epochs) > 1 else 0.0
    return {
        "setup": name,
        "link": query,
        "engine_epochs_per_s": round(engine, 1),
        "visible_epochs_per_s": round(visible, 1),
        "share_of_engine": round(visible / engine, 3) if engine else None,
        "picture_redraws_per_s": round(sum(a[2] != b[2] for a, b in itertools.pairwise(samples)) / span, 2),
        "shots": len(seen),
        "shots_with_broken_picture": sum(1 for s in seen if s["broken"]),
        "shots_with_blank_picture": sum(1 for s in seen if s["blank"]),
        "pictures_and_charts_per_shot": sorted({s["pictures"] + s["charts"] for s in seen}),
        "layouts_seen": len({tuple(s["tops"]) for s in seen}),
        "pause_s": pause_s,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def median(values: list[float]) -> float | None:
    return sorted(values)[len(values) // 2] if values else None


def change_learning_rate(page: Page, key: str) -> dict:
    """Press `key` on the focused learning-rate slider; wait until the new rate shows and the counter moves
    past it. Seconds from the key press to each, and the epochs trained between the key press and the
    first redraw with the new rate."""
    page.evaluate(LR_CHANGE)
    page.keyboard.press(key)
    page.wait_for_function("() => window.__lr && window.__lr.trained !== undefined", timeout=120_000)
    r = page.evaluate("window.__lr")
    return {
        "from_to": [r["from"], r["to"]],
        "shown_s": round((r["shown"] - r["key"]) / 1000, 3),
        "trained_s": round((r["trained"] - r["key"]) / 1000, 3),
        "epochs": r["shownEpoch"] - r["keyEpoch"],
    }


def measure_responsiveness(name: str, pause_tries: int, lr_tries: int, out: Path, seed: int = 0) -> dict:
    """On a fresh server, the playground with setup `name`: Pause at `pause_tries` random moments of a run
    (Play, a random 0.2–2 s, Pause), then `lr_tries` learning-rate changes at random moments of one run."""
    query = SETUPS[name]
    link = "&".join(f"{k}={v}" for k, v in query.items())
    rng = random.Random(seed)
    load_before = os.getloadavg()[0]
    server = StreamlitServer(out)
    pauses, held, changes = [], [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{server.url}/playground" + (f"?{link}" if link else ""))
            page.wait_for_selector(SETTLED, timeout=120_000)
            play = page.get_by_role("button", name="Play", exact=True)
            for _ in range(pause_tries):
                play.click(timeout=120_000)
                page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=60_000)
                time.sleep(rng.uniform(0.2, 2.0))
                delay, stayed = time_pause(page)
                pauses.append(delay)
                held.append(stayed)
            if lr_tries:
                play.click(timeout=120_000)
                page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=60_000)
                slider = (
                    page.get_by_test_id("stSlider").filter(has_text="Learning rate").get_by_role("slider")
                )
                for i in range(lr_tries):
                    time.sleep(rng.uniform(0.2, 2.0))
                    slider.focus()
                    changes.append(change_learning_rate(page, "ArrowRight" if i % 2 == 0 else "ArrowLeft"))
            browser.close()
    finally:
        server.stop()
    result = {"setup": name, "link": query}
    if pauses:
        result |= {
            "pause_tries": len(pauses),
            "pause_s": pauses,
            "pause_within_0_5_s": sum(d <= 0.5 for d in pauses),
            "pause_median_s": median(pauses),
            "pause_max_s": max(pauses),
            "counter_held_after_pause": sum(held),
        }
    if changes:
        result |= {
            "lr_changes": changes,
            "lr_shown_median_s": median([c["shown_s"] for c in changes]),
            "lr_shown_max_s": max(c["shown_s"] for c in changes),
            "lr_trained_median_s": median([c["trained_s"] for c in changes]),
            "lr_trained_max_s": max(c["trained_s"] for c in changes),
            "lr_epochs_before_shown_median": median([c["epochs"] for c in changes]),
        }
    return result | {"load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)]}


def summary(r: dict) -> str:
    """One line a person reads: the figures of `measure_responsiveness` for one setup."""
    parts = [f"{r['setup']}:"]
    if "pause_tries" in r:
        parts.append(
            f"Pause {r['pause_within_0_5_s']}/{r['pause_tries']} within 0.5 s,"
            f" median {r['pause_median_s']} s, max {r['pause_max_s']} s,"
            f" counter held {r['counter_held_after_pause']}/{r['pause_tries']};"
        )
    if "lr_changes" in r:
        parts.append(
            f"learning rate shown after median {r['lr_shown_median_s']} s (max {r['lr_shown_max_s']}),"
            f" first epoch at it after median {r['lr_trained_median_s']} s (max {r['lr_trained_max_s']}),"
            f" median {r['lr_epochs_before_shown_median']} epochs in between;"
        )
    parts.append(f"load average {r['load_average'][0]} -> {r['load_average'][1]}")
    return " ".join(parts)


def measure_sessions(name: str, sessions: int, secs: float, out: Path) -> dict:
    """`sessions` browser sessions training the same setup at once on one server: each one's visible pace
    and redraws per second (how the server's CPU is shared between workers)."""
    query = SETUPS[name]
    link = "&".join(f"{k}={v}" for k, v in query.items())
    load_before = os.getloadavg()[0]
    server = StreamlitServer(out)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            pages = []
            for _ in range(sessions):
                page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                page.goto(f"{server.url}/playground" + (f"?{link}" if link else ""))
                page.get_by_role("button", name="Play", exact=True).wait_for(timeout=120_000)
                pages.append(page)
            for page in pages:
                page.get_by_role("button", name="Play", exact=True).click()
                page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=60_000)
            time.sleep(1)
            for page in pages:
                page.evaluate(SAMPLER)
            time.sleep(secs)
            per_session = []
            for page in pages:
                samples = page.evaluate("clearInterval(window.__timer), window.__samples")
                span = (samples[-1][0] - samples[0][0]) / 1000
                epochs = [e for e in (epoch_of(s[1]) for s in samples) if e is not None]
                redraws = sum(a[2] != b[2] for a, b in itertools.pairwise(samples))
                per_session.append(((epochs[-1] - epochs[0]) / span, redraws / span))
            browser.close()
    finally:
        server.stop()
    return {
        "setup": name,
        "sessions": sessions,
        "visible_epochs_per_s_each": [round(e, 1) for e, _ in per_session],
        "picture_redraws_per_s_each": [round(r, 2) for _, r in per_session],
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--setups", nargs="+", default=["A", "C"], choices=list(SETUPS))
    parser.add_argument("--secs", type=float, default=10.0)
    parser.add_argument("--shots", type=int, default=10)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "live")
    parser.add_argument(
        "--sessions", type=int, nargs="+", help="instead: this many sessions training at once, e.g. 1 2 3 4"
    )
    parser.add_argument(
        "--pause-tries", type=int, default=0, help="instead: Pause at this many random moments"
    )
    parser.add_argument(
        "--lr-tries",
        type=int,
        default=0,
        help="instead: change the learning rate at this many random moments",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.pause_tries or args.lr_tries:
        print(f"load average (1, 5, 15 min) at the start: {os.getloadavg()}")
        results = [
            measure_responsiveness(name, args.pause_tries, args.lr_tries, args.out) for name in args.setups
        ]
        for result in results:
            print(json.dumps(result))
            (args.out / f"{result['setup']}_responsiveness.json").write_text(json.dumps(result, indent=1))
        for result in results:
            print(summary(result))
        print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}")
        return
    for count in args.sessions or []:
        for name in args.setups:
            print(json.dumps(measure_sessions(name, count, args.secs, args.out)))
    for name in [] if args.sessions else args.setups:
        result = measure(name, args.secs, args.shots, args.out)
        (args.out / f"{name}.json").write_text(json.dumps(result, indent=1))
        print(json.dumps(result))


if __name__ == "__main__":
    main()
