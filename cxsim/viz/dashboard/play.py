"""Play speed: weeks per second, paced on SolaraViz's own Play.

SolaraViz plays by looping: wait ``play_interval`` milliseconds, step the model ``render_interval``
times, redraw. The page offers speeds in weeks per second (:data:`SPEEDS`) and sets the play
interval for them from what it measures on the machine it runs on (:class:`Pacer`): the time of
one step and of one redraw. The interval is what is left of a frame's share of a second once
that work is done.

The render interval stays the user's: at 1 (the default) every week is drawn and **Step**
advances one week. Faster than the computer can draw, Play goes as fast as it can; raising
Render Interval to k draws every k-th week (and makes Step advance k weeks), which the speed
then accounts for.

Pure Python, no solara: the page (:mod:`cxsim.viz.app`) feeds the pacer and sets the interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["DEFAULT_SPEED", "SPEEDS", "Pacer", "pace"]

#: Play speeds offered, as (label, weeks per second).
SPEEDS: dict[str, float] = {
    "2 weeks/s": 2.0,
    "5 weeks/s": 5.0,
    "10 weeks/s": 10.0,
    "20 weeks/s": 20.0,
}
#: The speed a page starts with: five years in under half a minute.
DEFAULT_SPEED = "10 weeks/s"

#: Assumed cost of one redraw (ms) before any has been measured.
_FIRST_GUESS_MS = 60.0
#: SolaraViz's play-interval slider: 1 to 491 ms on a grid of 10 (1, 11, 21, ...); the browser
#: rounds any other value to that grid, so the pace is set on it.
_MIN_INTERVAL, _MAX_INTERVAL, _INTERVAL_STEP = 1, 491, 10


def pace(weeks_per_second: float, draw_ms: float, step_ms: float, weeks: int = 1) -> int:
    """The play interval (ms) that plays ``weeks_per_second`` when a redraw takes ``draw_ms``, a
    step ``step_ms`` and each frame advances ``weeks`` weeks (the render interval).

    A frame takes ``interval + weeks·step_ms + draw_ms`` and should take
    ``1000·weeks / weeks_per_second``. The interval is rounded down onto the grid of
    SolaraViz's own slider (1, 11, 21, ... ms), within its range; 1 ms when even that is too
    slow (Play then goes as fast as the computer draws).

    >>> pace(10, draw_ms=40, step_ms=5)
    51
    >>> pace(5, draw_ms=40, step_ms=5)
    151
    >>> pace(20, draw_ms=80, step_ms=5)
    1
    """
    weeks = max(int(weeks), 1)
    frame = weeks * 1000.0 / float(weeks_per_second)
    spare = frame - weeks * max(float(step_ms), 0.0) - max(float(draw_ms), 0.0)
    grid = math.floor((spare - _MIN_INTERVAL) / _INTERVAL_STEP)
    return int(min(max(_MIN_INTERVAL + _INTERVAL_STEP * grid, _MIN_INTERVAL), _MAX_INTERVAL))


@dataclass
class Pacer:
    """Measures the frames of a Play and says when to change the play interval.

    Feed it every redraw (:meth:`frame`) with the clock, the model's step count, the interval
    and render interval in force and the model's own step time. Two redraws that follow each
    other within a frame's time (the interval, the steps and a few redraws) are taken as frames
    of a Play; the time between them less the interval and the steps is a redraw's cost, kept
    as a running average. A new interval is returned when the one in force is off by more than
    a little.

    Attributes:
        speed: the target, weeks per second.
        draw_ms: running average of a redraw's cost, in milliseconds.
    """

    speed: float = SPEEDS[DEFAULT_SPEED]
    draw_ms: float = _FIRST_GUESS_MS
    _last: tuple[float, int] | None = None
    _measured: int = 0

    def target(self, step_ms: float, weeks: int = 1) -> int:
        """The interval for the current estimates."""
        return pace(self.speed, self.draw_ms, step_ms, weeks)

    def set_speed(self, speed: float, step_ms: float, weeks: int = 1) -> int:
        """A new target speed; returns the interval to set now."""
        self.speed = float(speed)
        self._last = None
        return self.target(step_ms, weeks)

    def frame(
        self, now: float, steps: int, interval: int, weeks: int, step_ms: float
    ) -> int | None:
        """Record a redraw at ``now`` (seconds) showing step ``steps``; a new interval, or
        ``None`` to keep the one in force."""
        last, self._last = self._last, (now, steps)
        if last is None or steps <= last[1]:
            return None
        elapsed_ms = 1000.0 * (now - last[0])
        advanced = steps - last[1]
        work = elapsed_ms - interval - advanced * step_ms
        if advanced != weeks or work < 0 or work > 4 * self.draw_ms + 250:
            return None  # not two consecutive frames of a Play (a Step, or a pause between)
        self._measured += 1
        alpha = 0.5 if self._measured < 4 else 0.25
        self.draw_ms = (1 - alpha) * self.draw_ms + alpha * work
        new = self.target(step_ms, weeks)
        if abs(new - interval) > max(15, 0.25 * interval):
            return new
        return None
