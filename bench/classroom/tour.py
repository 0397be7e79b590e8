"""The learner's tour of the app (the same as bench/load.py's, through bench.classroom.client.Session):

  1. /playground: Play (timed until the epoch counter moves), train for `train_secs` while the live view
     redraws (epochs/s and picture redraws/s, read from the deltas), Pause (timed until the Play button is
     back; also from the click to the counter's last change, as bench/live.py times it), and check that the
     counter then holds;
  2. /image_classification: pick the example photo "Cup of coffee" (timed until the first model's headline
     changes: its top class);
  3. /sentiment: type a negative review, different for each learner, and run it (timed until NEGATIVE);
  4. /cnn, part "Train a CNN": Play (timed until the count of training examples seen moves: the epoch
     counter's two decimals move every 600 examples, which takes seconds when a class trains at once),
     2 s, Pause (timed until Play is back), Play again and close the tab while it trains (its worker must
     stop by itself).

Pages are opened through the app's navigation, as a learner clicks the sidebar, in one session per learner;
each opening is timed until its script run finished. `record(kind, name, seconds, error)` is told every
timing (kind "open" or "click") and the error that ended the tour, if any (kind "tour"): Locust's request
events (bench/classroom/locustfile.py) or a plain list (the tests).
"""

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.classroom.client import Session, SessionError

NEGATIVE_TEXT = "A dull, lifeless film: the plot is predictable and the acting is dreadful."
HOLD = 1.0  # seconds the epoch counter must stay put after Pause
Record = Callable[[str, str, float, Exception | None], None]


def no_record(kind: str, name: str, seconds: float, error: Exception | None) -> None:
    """The default `record`: timings are kept in the Tour's result only."""


@dataclass
class TourResult:
    """What one learner's tour measured and saw."""

    clicks: dict[str, float] = field(default_factory=dict)  # step -> seconds from click to result
    opens: dict[str, float] = field(default_factory=dict)  # page -> seconds from navigation to finished run
    pace: dict[str, float] = field(default_factory=dict)  # playground epochs/s and redraws/s while training
    counter_stop: float | None = None  # playground Pause: click to the counter's last change, s
    seen: dict[str, str] = field(default_factory=dict)  # what the page showed: top class, label, epochs
    paused_held: dict[str, bool] = field(default_factory=dict)  # page -> the counter held after Pause
    error: str | None = None
    stage: str = "start"


def epoch_number(text: str | None) -> float | None:
    """The number an Epoch metric shows ("1,234" or "0.25"), None if none."""
    try:
        return float(str(text).replace(",", ""))
    except ValueError:
        return None


class Tour:
    """One learner's tour on the server at `base_url`."""

    def __init__(
        self,
        base_url: str,
        index: int = 0,
        train_secs: float = 10.0,
        record: Record = no_record,
        before_training: Callable[[], None] = lambda: None,
    ) -> None:
        self.session = Session(base_url)
        self.before_training = before_training  # called after Play: Locust's --together waits there
        self.review = f"{NEGATIVE_TEXT} Seen by viewer {index}."  # the page caches results per text
        self.train_secs = train_secs
        self.record = record
        self.result = TourResult()

    def run(self) -> TourResult:
        """The whole tour; the first failure ends it and is kept as `result.error`."""
        try:
            self.playground()
            self.image()
            self.sentiment()
            self.cnn()
        except Exception as error:  # any failure ends this tour and is reported with its step
            self.result.error = f"{self.result.stage}: {type(error).__name__}: {str(error)[:300]}"
            self.record("tour", self.result.stage, 0.0, error)
        finally:
            self.session.close()
        return self.result

    def timed(self, kind: str, name: str, seconds: float) -> None:
        (self.result.opens if kind == "open" else self.result.clicks)[name] = seconds
        self.record(kind, name, seconds, None)

    def open(self, page: str, ready: Callable[[], bool]) -> None:
        """Open `page` (the first by link, later ones through the navigation) until `ready()` holds."""
        s = self.session
        self.result.stage = f"open /{page}"
        started = time.perf_counter()
        s.navigate(page) if s.pages else s.open(page)
        s.wait(ready, self.result.stage)
        self.timed("open", f"/{page}", time.perf_counter() - started)

    def play(self, step: str, progress: Callable[[], str | None]) -> None:
        """Press Play, timed until `progress()` (what the page shows of the run's progress) changes; then
        wait for the Pause button."""
        s = self.session
        self.result.stage = step
        before = progress()
        started = time.perf_counter()
        s.click("Play")
        try:
            s.wait(lambda: progress() not in (None, before), step)
        except SessionError as error:
            shown = "Pause" if s.has_button("Pause") else "Play" if s.has_button("Play") else "no button"
            raise SessionError(f"{error} (progress {before} → {progress()}, {shown} shown)") from error
        self.timed("click", step, time.perf_counter() - started)
        s.wait(lambda: s.has_button("Pause"), f"{step}: the Pause button")

    def pause(self, step: str) -> float:
        """Press Pause, timed until Play is back; then check that the counter holds for HOLD seconds.
        Returns seconds from the click to the counter's last change."""
        s = self.session
        self.result.stage = step
        changes: list[float] = []
        last = s.metric("Epoch")

        def moved() -> bool:
            nonlocal last
            value = s.metric("Epoch")
            if value != last:
                changes.append(time.perf_counter())
                last = value
            return False

        started = time.perf_counter()
        s.click("Pause")
        s.wait(lambda: moved() or s.has_button("Play"), step)
        self.timed("click", step, time.perf_counter() - started)
        s.watch(moved, HOLD)
        stopped_at = s.metric("Epoch")
        s.watch(lambda: False, HOLD)
        page = step.split("_")[0]
        self.result.paused_held[page] = s.metric("Epoch") == stopped_at and s.has_button("Play")
        self.result.seen[f"{page}_paused_epoch"] = str(stopped_at)
        return max(changes[-1] - started, 0.0) if changes else 0.0

    def playground(self) -> None:
        s = self.session
        self.open("playground", lambda: s.has_button("Play") and s.metric("Epoch") is not None)
        self.play("playground_play", lambda: s.metric("Epoch"))
        self.before_training()
        start_epoch = epoch_number(s.metric("Epoch"))
        samples: list[tuple[float, float | None, tuple[str, ...]]] = []

        def sample() -> bool:
            samples.append((time.perf_counter(), epoch_number(s.metric("Epoch")), s.pictures()))
            return False

        s.watch(sample, self.train_secs)
        span = samples[-1][0] - samples[0][0] if len(samples) > 1 else 0.0
        epochs = [e for _, e, _ in samples if e is not None]
        redraws = sum(a[2] != b[2] for a, b in itertools.pairwise(samples))
        if span > 0 and len(epochs) > 1:
            self.result.pace = {
                "epochs_per_s": (epochs[-1] - epochs[0]) / span,
                "redraws_per_s": redraws / span,
            }
        self.result.seen["playground_epochs_moved"] = str(bool(epochs) and epochs[-1] > (start_epoch or 0))
        self.result.counter_stop = self.pause("playground_pause")

    def image(self) -> None:
        s = self.session

        def headline() -> str | None:
            return next((text for text in s.markdown() if text.startswith("#### ")), None)

        self.open("image_classification", lambda: headline() is not None)
        self.result.stage = "image_classify"
        before = headline()
        started = time.perf_counter()
        s.set_value("Photo", "Cup of coffee")
        s.wait(lambda: headline() not in (None, before) and not s.running, "image_classify")
        self.timed("click", "image_classify", time.perf_counter() - started)
        self.result.seen["image_top_class"] = str(headline())

    def sentiment(self) -> None:
        s = self.session
        self.open("sentiment", lambda: s.metric("Label") is not None)
        self.result.stage = "sentiment_run"
        started = time.perf_counter()
        s.set_value("Text", self.review)
        s.wait(lambda: s.metric("Label") == "NEGATIVE", "sentiment_run")
        self.timed("click", "sentiment_run", time.perf_counter() - started)
        self.result.seen["sentiment_label"] = str(s.metric("Label"))

    def cnn(self) -> None:
        s = self.session

        def examples() -> str | None:
            return next((t for t in s.markdown() if "training examples seen" in t), None)

        self.open("cnn", lambda: bool(s.elements("button_group")))
        self.result.stage = "cnn open Train a CNN"
        s.set_value("Part", "Train a CNN")
        s.wait(lambda: s.has_button("Play") and examples() is not None and not s.running, "cnn part")
        self.play("cnn_play", examples)
        started = examples()
        s.watch(lambda: False, 2.0)
        self.result.seen["cnn_epochs_moved"] = str(examples() != started)
        self.pause("cnn_pause")
        self.result.stage = "cnn Play again, to close the tab while it trains"
        s.click("Play")
        s.wait(lambda: s.has_button("Pause"), self.result.stage)
        self.result.stage = "done"
