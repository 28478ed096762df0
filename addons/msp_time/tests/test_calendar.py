# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import MspTimeCase


@tagged("post_install", "-at_install")
class TestCalendarCapture(MspTimeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.outsider = cls.env["res.partner"].create({"name": "Client Person"})
        cls.no_employee = cls.env["res.users"].create(
            {"name": "No Employee", "login": "mt_noemp"}
        )

    def _event(self, start, minutes=45, **values):
        return (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True, mail_create_nolog=True)
            .create(
                {
                    "name": "Design review with client",
                    "start": start,
                    "stop": start + timedelta(minutes=minutes),
                    "msp_ticket_id": self.ticket.id,
                    "partner_ids": [
                        (
                            6,
                            0,
                            (
                                self.tech.partner_id
                                | self.tech2.partner_id
                                | self.outsider
                                | self.no_employee.partner_id
                            ).ids,
                        )
                    ],
                    **values,
                }
            )
        )

    def _attendee(self, event, user):
        return event.attendee_ids.filtered(lambda a: a.partner_id == user.partner_id)

    def test_ended_accepted_meeting_becomes_draft_time_once(self):
        start = fields.Datetime.now().replace(microsecond=0) - timedelta(hours=2)
        event = self._event(start)
        self._attendee(event, self.tech).state = "accepted"
        lines = event.msp_time_entry_ids
        self.assertEqual(lines.user_id, self.tech, "on acceptance, already ended")
        self.assertEqual(lines.msp_state, "draft")
        self.assertAlmostEqual(lines.unit_amount, 0.75)
        self.assertEqual(lines.ticket_id, self.ticket)
        self.assertEqual(lines.date_time, start)
        self.assertEqual(lines.msp_work_type_id, self.included)
        self.assertEqual(lines.msp_billed_hours, 0.75)
        # the cron and a second acceptance change nothing
        self.env["calendar.event"]._cron_msp_capture_time()
        self._attendee(event, self.tech).state = "accepted"
        self.assertEqual(len(event.msp_time_entry_ids), 1)
        # the other technician accepts later: their own entry
        (
            self._attendee(event, self.tech2) | self._attendee(event, self.no_employee)
        ).write({"state": "accepted"})
        event.invalidate_recordset()
        self.assertEqual(event.msp_time_entry_ids.user_id, self.tech | self.tech2)
        # external people and users without an employee get nothing
        self.env["calendar.event"]._cron_msp_capture_time()
        event.invalidate_recordset()
        self.assertEqual(len(event.msp_time_entry_ids), 2)

    def test_not_before_the_end_then_by_the_cron(self):
        start = fields.Datetime.now() - timedelta(minutes=10)
        event = self._event(start, minutes=60)
        self._attendee(event, self.tech).state = "accepted"
        self.assertFalse(event.msp_time_entry_ids, "still running")
        # an hour later
        event.write(
            {"start": start - timedelta(hours=1), "stop": start - timedelta(minutes=1)}
        )
        self._attendee(event, self.tech).state = "accepted"  # re-sync resets
        self.env["calendar.event"]._cron_msp_capture_time()
        event.invalidate_recordset()
        self.assertEqual(event.msp_time_entry_ids.user_id, self.tech)

    def test_task_meeting_and_declined(self):
        task = self.env["project.task"].create(
            {"name": "Office move", "project_id": self.project.id}
        )
        start = fields.Datetime.now() - timedelta(hours=3)
        event = self._event(start, msp_ticket_id=False, msp_task_id=task.id)
        self._attendee(event, self.tech).state = "declined"
        self._attendee(event, self.tech2).state = "accepted"
        self.assertEqual(event.msp_time_entry_ids.user_id, self.tech2)
        self.assertEqual(event.msp_time_entry_ids.task_id, task)
        self.assertEqual(event.msp_time_entry_ids.msp_work_type_id, self.project_kind)

    def test_draft_confirmed_in_my_day(self):
        start = fields.Datetime.now().replace(microsecond=0) - timedelta(hours=2)
        event = self._event(start)
        self._attendee(event, self.tech).state = "accepted"
        line = event.msp_time_entry_ids
        review = (
            self.env["msp.time.review"]
            .with_user(self.tech)
            ._msp_review_for(self.tech, line.date)
        )
        self.assertIn(line, review.entry_ids)
        self.assertEqual(review.draft_count, 1)
        review.action_confirm_drafts()
        self.assertEqual(line.msp_state, "confirmed")
