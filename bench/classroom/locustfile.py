"""Locust's simulated learner: each user takes bench.classroom.tour's tour once through the protocol client,
then stops; Locust reports every open and click as a request (p50/p95 per name, CSV with --csv).

    .venv/bin/locust -f bench/classroom/locustfile.py --headless -u 20 -r 5 --host http://127.0.0.1:8501 \\
        --learners 20 --results out/tours.json --csv out/classroom

`--learners` is how many tours to wait for: when that many ended, Locust quits (it would otherwise run
until --run-time). `--together` makes every learner wait after Play until all of them pressed it (or 60 s
passed), so that their training windows coincide: the classroom's "everybody press Play now", and what
makes the sum of their epochs/s the server's total. `--results` gets every tour's result as JSON. Locust's
distributed mode (--master / --worker) spreads the learners over more machines when one is not enough.
"""

import dataclasses
import itertools
import json
import threading
import time
from pathlib import Path

import gevent
from locust import User, events, task
from locust.exception import StopUser

from bench.classroom.tour import Tour, TourResult

TOGETHER_TIMEOUT = 60.0  # seconds a learner waits for the others to press Play
results: list[TourResult] = []
playing = {"count": 0}
everyone_plays = threading.Event()  # gevent's, under Locust's monkey patching
numbers = itertools.count()


@events.init_command_line_parser.add_listener
def add_options(parser) -> None:
    parser.add_argument("--learners", type=int, default=1, help="tours to wait for before quitting")
    parser.add_argument("--train-secs", type=float, default=10.0, help="playground training per learner")
    parser.add_argument("--together", action="store_true", help="train at the same time (see above)")
    parser.add_argument("--results", default="", help="write every tour's result here (JSON)")


@events.quitting.add_listener
def write_results(environment, **_) -> None:
    path = environment.parsed_options.results
    if path:
        Path(path).write_text(json.dumps([dataclasses.asdict(r) for r in results]))


class Learner(User):
    """One learner's browser tab, at the protocol level."""

    def record(self, kind: str, name: str, seconds: float, error: Exception | None) -> None:
        self.environment.events.request.fire(
            request_type=kind, name=name, response_time=seconds * 1000, response_length=0, exception=error
        )

    def wait_for_everyone(self) -> None:
        """After Play: with --together, wait until every learner has pressed it."""
        options = self.environment.parsed_options
        if not options.together:
            return
        playing["count"] += 1
        if playing["count"] >= options.learners:
            everyone_plays.set()
        everyone_plays.wait(TOGETHER_TIMEOUT)

    @task
    def tour(self) -> None:
        options = self.environment.parsed_options
        tour = Tour(self.host, next(numbers), options.train_secs, self.record, self.wait_for_everyone)
        results.append(tour.run())
        if len(results) >= options.learners:
            gevent.spawn_later(0.5, self.environment.runner.quit)
        time.sleep(0.1)
        raise StopUser()
