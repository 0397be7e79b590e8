"""The prediction card: one experiment of a page asked as a question before it runs.

The right answer is never written down: `rule` reads it off the numbers that `run` measures, and the page
shows the verdict from those numbers. `explains` says which answer the explanation argues for; only the tests
read it, to check that the seeded run still gives that answer (tests/unit/test_cards.py).
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.runner import TrainingJob, train_steps

# What an experiment measured, by name: numbers, and the labels a model answered; the explanation quotes them.
Numbers = dict[str, float | str]


@dataclass(frozen=True)
class Live:
    """How a card's experiment trains live on its page: the page's own runner, built from the widgets."""

    runner: str  # the page's session key of the runner that trains it (core.runner.Runner)
    measure: Callable[[Any], Numbers]  # the numbers, read from the trained job
    stop_at: int | None = None  # epochs, for a job with no budget of its own (the playground's Engine)


@dataclass(frozen=True)
class Card:
    """A question about an experiment, its answers, the settings it runs and how it decides the answer."""

    name: str  # unique, "<page>-<what>": the name a link and the session's progress use
    page: str  # its page's file stem, e.g. "losses"
    question: str  # Markdown
    answers: tuple[str, ...]  # 2 to 4
    settings: Mapping[str, object]  # widget key -> the value the page's widgets take before it runs
    run: Callable[[], Numbers]  # runs the seeded experiment and returns its numbers
    rule: Callable[[Numbers], int]  # the numbers -> the index of the right answer
    note: str  # the explanation shown after the run, a str.format template over the numbers
    explains: int  # the answer `note` argues for (tests check the run still gives it; pages never read it)
    live: Live | None = field(default=None)  # set when its page trains it live
    section: str = ""  # which Try this of its page asks it, on a page with several

    def explain(self, numbers: Numbers) -> str:
        """The explanation with the run's numbers in it."""
        return self.note.format(**numbers)


def trained(job: TrainingJob, stop_at: int | None = None) -> TrainingJob:
    """`job` trained to its end, as its page's runner would train it (one step at a time until done); with
    `stop_at`, the playground's Engine is given that budget first."""
    if stop_at is not None:
        job.stop_after(stop_at)
    train_steps(job, math.inf)
    return job


def live_run(make_job: Callable[[], TrainingJob], live: Live) -> Callable[[], Numbers]:
    """A live card's `run`: a new job trained to its end, then measured as the page measures its runner's."""

    def run() -> Numbers:
        return live.measure(trained(make_job(), live.stop_at))

    return run
