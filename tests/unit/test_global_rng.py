"""Sessions share torch's global random generator: one session building or training its seeded models while
another does the same must not change the other's numbers (core.runtime.holds_global_rng)."""

import threading

from core.training.batchnorm import BatchNormConfig, BatchNormJob
from core.training.dropout import DropoutConfig, DropoutJob


def dropout_run() -> dict[str, float]:
    """A seeded dropout run's final training losses: its initial weights and its dropout masks."""
    job = DropoutJob(DropoutConfig(epochs=30))
    while not job.done:
        job.step()
    return {name: losses[-1] for name, losses in job.train_losses.items()}


def test_a_seeded_run_repeats_while_another_session_seeds_the_generator() -> None:
    alone = dropout_run()
    together: list[dict[str, float]] = []
    running = threading.Event()
    running.set()

    def other_session() -> None:
        seed = 0
        while running.is_set():  # builds its own models from its own seeds, again and again
            BatchNormJob(BatchNormConfig(depth=2, seed=seed))
            seed += 1

    other = threading.Thread(target=other_session)
    other.start()
    try:
        together = [dropout_run() for _ in range(3)]
    finally:
        running.clear()
        other.join()
    assert together == [alone] * 3
