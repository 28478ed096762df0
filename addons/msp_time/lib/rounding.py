# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Billing increments in whole seconds, so that no float error turns exactly
15 minutes into 30: durations are rounded to the second first, then up to
the increment, then raised to the minimum charge."""

import math


def to_seconds(hours):
    """Hours (float) to whole seconds (0.25 h -> 900; 0.2502777 h -> 901)."""
    return round((hours or 0.0) * 3600)


def billed_seconds(seconds, increment_minutes, minimum_minutes=0):
    """Actual seconds rounded up to the increment, at least the minimum.

    Zero or negative time bills nothing (a running timer, an empty entry):
    the minimum applies only to time actually worked. An increment of 0 or
    less leaves the time as it is."""
    if seconds <= 0:
        return 0
    step = max(int(increment_minutes or 0), 0) * 60
    billed = math.ceil(seconds / step) * step if step else seconds
    return max(billed, max(int(minimum_minutes or 0), 0) * 60)


def billed_hours(hours, increment_minutes, minimum_minutes=0):
    """``billed_seconds`` for hours, in hours."""
    return billed_seconds(to_seconds(hours), increment_minutes, minimum_minutes) / 3600
