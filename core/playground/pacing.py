"""How the live page paces training: one redraw every tick, and the share of a tick left for training."""

TICK = 0.07  # target seconds from one live redraw to the next (at most about 14 a second)
SLOW_EVERY = 1.0  # seconds between redraws of the network, curves and gradient norms while running
MIN_SLICE = 0.01  # the shortest training slice: however slow the drawing, every tick still trains


def cycle_overhead(start: float, last_start: float, last_train: float) -> float:
    """Seconds the last cycle spent on anything but training (drawing, Streamlit's own work, the browser's
    round trip): the time since the last tick started, less what that tick spent training."""
    return start - last_start - last_train


def training_slice(overhead: float, tick: float = TICK) -> float:
    """How long the next tick may train, so that training plus the last cycle's overhead fills one `tick`.

    With no overhead measured (the first tick) it trains for half a tick; an overhead of a whole tick or
    more still leaves `MIN_SLICE`, and no slice is longer than `tick`."""
    if overhead <= 0:
        return tick / 2
    return min(tick, max(MIN_SLICE, tick - overhead))
