# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Billing cycles anchored on a day of the month, and the proration of a
partial cycle. Pure date arithmetic: no records, no queries.

A contract's cycles run from one anchor to the day before the next; the
anchors are ``first_anchor`` plus any multiple of ``months`` months. The
anchor day is 1 to 28, so every month has it and no cycle drifts."""

from dateutil.relativedelta import relativedelta
from odoo.tools import float_round

# months in one cycle per OCA recurrence rule (times recurring_interval);
# daily and weekly cycles are not month-based: no anchor, no proration
RULE_MONTHS = {
    "monthly": 1,
    "monthlylastday": 1,
    "quarterly": 3,
    "semesterly": 6,
    "yearly": 12,
}
# the rules a billing day (an explicit anchor) applies to
ANCHORED_RULES = ("monthly", "quarterly", "semesterly", "yearly")
ONE_DAY = relativedelta(days=1)


def cycle_months(rule_type, interval):
    """Months in one cycle, or None when the cycle is not month-based."""
    months = RULE_MONTHS.get(rule_type)
    return months * (interval or 1) if months else None


def first_anchor(date_start, anchor_day):
    """The first day on or after ``date_start`` that falls on ``anchor_day``."""
    anchor = date_start + relativedelta(day=anchor_day)
    return anchor if anchor >= date_start else anchor + relativedelta(months=1)


def anchor_on_or_before(day, anchor, months):
    """The latest anchor (``anchor`` + k cycles, k of any sign) on or
    before ``day``: where the cycle holding ``day`` starts."""
    elapsed = (day.year - anchor.year) * 12 + day.month - anchor.month
    start = anchor + relativedelta(months=elapsed // months * months)
    if start > day:
        start -= relativedelta(months=months)
    return start


def anchored_period_end(period_start, anchor, months, date_end=None):
    """A period starting on ``period_start`` ends the day before the next
    anchor, or on ``date_end`` if that comes first."""
    cycle_start = anchor_on_or_before(period_start, anchor, months)
    end = cycle_start + relativedelta(months=months) - ONE_DAY
    return min(end, date_end) if date_end else end


def proration(period_start, period_end, anchor, months):
    """``(days billed, days of the full cycle)`` for a billed period.

    A period as long as a whole cycle from its own start is full. A shorter
    one (the first cycle up to the first anchor, the last one cut by the
    end date) is measured against the anchored cycle it falls in."""
    days = (period_end - period_start).days + 1
    if not months or period_end >= (
        period_start + relativedelta(months=months) - ONE_DAY
    ):
        return days, days
    cycle_start = anchor_on_or_before(period_start, anchor, months)
    cycle_end = cycle_start + relativedelta(months=months) - ONE_DAY
    cycle_days = (cycle_end - cycle_start).days + 1
    return min(days, cycle_days), cycle_days


def prorate(quantity, days, cycle_days, rounding):
    """``quantity`` for ``days`` of a ``cycle_days`` cycle, rounded to
    ``rounding`` (a unit of measure's)."""
    if days >= cycle_days:
        return quantity
    return float_round(quantity * days / cycle_days, precision_rounding=rounding)
