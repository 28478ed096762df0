# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Pure working-time arithmetic, no database."""

from datetime import datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..lib.worktime import AroundTheClock, WorkSchedule


def weekdays_8_to_17(first_day, days=21):
    intervals = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        if day.weekday() < 5:
            intervals.append((day.replace(hour=8), day.replace(hour=17)))
    return WorkSchedule(intervals, first_day, first_day + timedelta(days=days))


@tagged("post_install", "-at_install")
class TestWorkSchedule(BaseCase):
    def setUp(self):
        super().setUp()
        self.schedule = weekdays_8_to_17(datetime(2026, 11, 16))  # a Monday

    def test_across_the_weekend(self):
        friday = datetime(2026, 11, 20, 16, 50)
        self.assertEqual(
            self.schedule.add_hours(friday, 0.25), datetime(2026, 11, 23, 8, 5)
        )
        self.assertAlmostEqual(
            self.schedule.hours_between(friday, datetime(2026, 11, 23, 8, 5)), 0.25
        )

    def test_is_working_inside_intervals_only(self):
        working = self.schedule.is_working
        self.assertTrue(working(datetime(2026, 11, 16, 8, 0)))  # opening
        self.assertTrue(working(datetime(2026, 11, 16, 16, 59)))
        self.assertFalse(working(datetime(2026, 11, 16, 17, 0)))  # closed
        self.assertFalse(working(datetime(2026, 11, 16, 7, 59)))
        self.assertFalse(working(datetime(2026, 11, 21, 12, 0)))  # Saturday

    def test_ends_exactly_at_closing_time(self):
        self.assertEqual(
            self.schedule.add_hours(datetime(2026, 11, 20, 9), 8),
            datetime(2026, 11, 20, 17),
        )

    def test_zero_hours_outside_working_time_is_next_opening(self):
        saturday = datetime(2026, 11, 21, 10)
        self.assertEqual(
            self.schedule.add_hours(saturday, 0), datetime(2026, 11, 23, 8)
        )
        inside = datetime(2026, 11, 23, 9, 30)
        self.assertEqual(self.schedule.add_hours(inside, 0), inside)

    def test_hours_between_counts_only_working_time(self):
        self.assertEqual(
            self.schedule.hours_between(
                datetime(2026, 11, 16, 6), datetime(2026, 11, 16, 20)
            ),
            9.0,
        )
        self.assertEqual(
            self.schedule.hours_between(datetime(2026, 11, 17), datetime(2026, 11, 16)),
            0.0,
        )

    def test_beyond_horizon_is_none(self):
        self.assertIsNone(self.schedule.add_hours(datetime(2026, 11, 16, 8), 1000))

    def test_around_the_clock(self):
        clock = AroundTheClock()
        friday = datetime(2026, 11, 20, 16, 50)
        self.assertEqual(clock.add_hours(friday, 0.25), datetime(2026, 11, 20, 17, 5))
        self.assertEqual(clock.hours_between(friday, friday + timedelta(hours=3)), 3.0)
