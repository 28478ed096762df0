# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from freezegun import freeze_time
from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import MspTimeCase


@tagged("post_install", "-at_install")
class TestMyDay(MspTimeCase):
    def setUp(self):
        super().setUp()
        # The day's entries (08:00-13:02) are in the past whenever the suite
        # runs: typed entries that would end in the future end now instead.
        freezer = freeze_time(self._at(fields.Date.today(), 20))
        freezer.start()
        self.addCleanup(freezer.stop)

    def _day_entries(self, day, spans, user=None):
        return [
            self._entry(
                user=user,
                hours=(end - start) / 60,
                date_time=self._at(day, 0, start),
            )
            for start, end in spans
        ]

    def test_my_day_figures(self):
        today = self._today()
        # 08:00-09:00, 09:30-10:00, 09:50-10:15 (overlap), 13:00-13:02
        self._day_entries(today, [(480, 540), (570, 600), (590, 615), (780, 782)])
        self._entry(hours=2, date=today - timedelta(days=1))  # yesterday
        self._entry(user=self.tech2, hours=1, date_time=self._at(today, 11))
        # a ticket the technician worked on today without logging time
        untimed = self._ticket("Password reset")
        untimed.with_user(self.tech).message_post(
            body="Reset done, user informed", message_type="comment"
        )
        self.ticket.with_user(self.tech).message_post(
            body="Toner ordered", message_type="comment"
        )
        review = self.env["msp.time.review"].with_user(self.tech)
        action = review.action_msp_my_day()
        day = review.browse(action["res_id"])
        self.assertEqual((day.user_id, day.date), (self.tech, today))
        self.assertEqual(len(day.entry_ids), 4)
        self.assertAlmostEqual(day.total_hours, (60 + 30 + 25 + 2) / 60)
        self.assertAlmostEqual(day.billed_hours, (60 + 30 + 30 + 15) / 60)
        self.assertEqual(day.first_start, self._at(today, 8))
        self.assertEqual(day.last_end, self._at(today, 13, 2))
        # gaps: 09:00-09:30 and 10:15-13:00
        self.assertEqual(day.gap_minutes, 30 + 165)
        self.assertIn("09:00-09:30", day.gaps_text)
        self.assertIn("10:15-13:00", day.gaps_text)
        self.assertEqual(day.untimed_ticket_ids, untimed)
        self.assertFalse(day.running_timer_id)
        # the same action again opens the same record
        self.assertEqual(review.action_msp_my_day()["res_id"], day.id)
        # a running timer shows
        self.ticket2.with_user(self.tech).msp_action_start_timer()
        day.invalidate_recordset()
        self.assertEqual(day.running_timer_id.ticket_id, self.ticket2)
        day.action_mark_reviewed()
        self.assertEqual(day.state, "reviewed")
        self.assertEqual(day.reviewed_by_id, self.tech)

    def test_day_data_queries_do_not_grow_with_entries(self):
        today = self._today()
        review = (
            self.env["msp.time.review"]
            .with_user(self.tech)
            ._msp_review_for(self.tech, today)
        )
        self._day_entries(today, [(480, 510)])
        review._msp_day_data()  # warm the caches that are not per call
        counts, total = [], 1
        for extra in (0, 5, 30):
            self._day_entries(
                today, [(600 + 10 * n, 605 + 10 * n) for n in range(extra)]
            )
            total += extra
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            data = review._msp_day_data()
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(len(data["lines"]), total)
        # the first pass after the warm-up still fills per-transaction
        # caches; from then on the count does not move with the entries
        self.assertEqual(counts[1], counts[2], counts)
        self.assertLessEqual(counts[2], 10, counts)

    def test_manager_sees_who_has_not_reviewed_yesterday(self):
        # one time zone for the test, the cron's user and the dispatcher
        # (else "yesterday" differs between them for an hour each night)
        Review = self.env["msp.time.review"].with_context(tz="UTC")
        yesterday = fields.Date.context_today(Review) - timedelta(days=1)
        Review.with_user(self.tech2)._msp_review_for(
            self.tech2, yesterday
        ).action_mark_reviewed()
        action = Review.with_user(self.dispatcher).action_msp_not_reviewed()
        pending = Review.with_user(self.dispatcher).search(action["domain"])
        self.assertIn(self.tech, pending.user_id)
        self.assertNotIn(self.tech2, pending.user_id)
        # the reminder (off by default) schedules one activity per pending day
        cron = self.env.ref("msp_time.cron_msp_time_review_reminder")
        self.assertFalse(cron.active)
        Review._cron_msp_review_reminder()
        mine = pending.filtered(lambda r: r.user_id == self.tech)
        self.assertEqual(mine.activity_ids.user_id, self.tech)
        Review._cron_msp_review_reminder()
        self.assertEqual(len(mine.activity_ids), 1)
        mine.with_user(self.tech).action_mark_reviewed()
        self.assertFalse(mine.activity_ids)

    def test_technicians_review_only_their_own_day(self):
        theirs = self.env["msp.time.review"]._msp_review_for(self.tech2, self._today())
        with self.assertRaises(AccessError):
            theirs.with_user(self.tech).read(["state"])
        with self.assertRaises(AccessError):
            theirs.with_user(self.tech).action_mark_reviewed()
        theirs.with_user(self.dispatcher).action_mark_reviewed()
        self.assertEqual(theirs.state, "reviewed")
        # billing reads reviews, changes none
        theirs.with_user(self.billing).read(["state"])
        with self.assertRaises(AccessError):
            theirs.with_user(self.billing).write({"state": "pending"})
