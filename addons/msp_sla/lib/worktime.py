# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Working-time arithmetic over a list of work intervals (pure Python).

The intervals come from ``resource.calendar._work_intervals_batch`` (the
calendar's attendances, time zone and public holidays), converted to naive
UTC; this module only walks them, so a batch of clocks on one calendar costs
one calendar query instead of one per clock. ``AroundTheClock`` is the 24x7
schedule: every minute counts.
"""

import bisect
from datetime import timedelta


def _hours(delta):
    return delta.total_seconds() / 3600


class WorkSchedule:
    """Sorted, non-overlapping ``(start, end)`` naive-UTC work intervals."""

    def __init__(self, intervals, horizon_start, horizon_end):
        self.starts = [start for start, _end in intervals]
        self.ends = [end for _start, end in intervals]
        self.horizon = (horizon_start, horizon_end)
        # cumulative[i] = working hours in intervals[:i]
        self.cumulative = [0.0]
        for start, end in intervals:
            self.cumulative.append(self.cumulative[-1] + _hours(end - start))

    def covers(self, moment):
        return self.horizon[0] <= moment <= self.horizon[1]

    def is_working(self, moment):
        """Whether ``moment`` lies inside a work interval."""
        index = bisect.bisect_right(self.starts, moment)
        return bool(index) and moment < self.ends[index - 1]

    def _worked_before(self, moment):
        """Working hours from the horizon start up to ``moment``."""
        index = bisect.bisect_right(self.starts, moment)
        hours = self.cumulative[index]
        if index and moment < self.ends[index - 1]:
            hours -= _hours(self.ends[index - 1] - moment)
        return hours

    def hours_between(self, start, end):
        """Working hours in ``[start, end]`` (0 if end <= start)."""
        if end <= start:
            return 0.0
        return self._worked_before(end) - self._worked_before(start)

    def add_hours(self, start, hours):
        """The moment when ``hours`` of work after ``start`` are done, or None
        when that lies beyond the horizon. A target that ends exactly at an
        interval's end lands there; zero hours from outside working time
        gives the next working moment (both as ``plan_hours`` does)."""
        if hours <= 0:
            index = bisect.bisect_right(self.starts, start)
            if index and start < self.ends[index - 1]:
                return start
            return self.starts[index] if index < len(self.starts) else None
        target = self._worked_before(start) + hours
        # first j with cumulative[j] >= target: the target is in interval j-1
        j = bisect.bisect_left(self.cumulative, target - 1e-9)
        if j >= len(self.cumulative):
            return None
        return self.starts[j - 1] + timedelta(hours=target - self.cumulative[j - 1])


class AroundTheClock:
    """24x7: working time is wall-clock time."""

    horizon = (None, None)

    def covers(self, moment):
        return True

    def hours_between(self, start, end):
        return max(_hours(end - start), 0.0)

    def add_hours(self, start, hours):
        return start + timedelta(hours=max(hours, 0.0))
