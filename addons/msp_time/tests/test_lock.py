# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MspTimeCase


@tagged("post_install", "-at_install")
class TestPeriodLock(MspTimeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = cls._today()
        cls.lock_date = today - timedelta(days=10)
        cls.old = cls.env["account.analytic.line"].create(
            {
                "name": "Invoiced work",
                "ticket_id": cls.ticket.id,
                "project_id": cls.project.id,
                "user_id": cls.tech.id,
                "date": cls.lock_date - timedelta(days=2),
                "unit_amount": 20 / 60,
            }
        )
        cls.open = cls.env["account.analytic.line"].create(
            {
                "name": "Open work",
                "ticket_id": cls.ticket.id,
                "project_id": cls.project.id,
                "user_id": cls.tech.id,
                "date": today,
                "unit_amount": 1.0,
            }
        )
        cls.company.msp_time_lock_date = cls.lock_date

    def test_locked_entries_cannot_change_even_as_sudo(self):
        self.assertTrue(self.old.msp_locked)
        self.assertTrue(self.old.readonly_timesheet)
        self.assertFalse(self.open.msp_locked)
        for line in (
            self.old.with_user(self.tech),
            self.old.with_user(self.manager),
            self.old.sudo(),
            self.old.sudo().with_context(msp_time_unlock=True, install_mode=True),
        ):
            with self.assertRaisesRegex(UserError, "is locked"):
                line.write({"unit_amount": 2.0})
            with self.assertRaisesRegex(UserError, "is locked"):
                line.write({"msp_work_type_id": self.billable.id})
            with self.assertRaisesRegex(UserError, "is locked"):
                line.unlink()
        self.old.invalidate_recordset()
        self.assertAlmostEqual(self.old.unit_amount, 20 / 60)
        self.assertEqual(self.old.msp_work_type_id, self.included)

    def test_rewriting_the_same_values_is_not_a_change(self):
        # e.g. helpdesk_mgmt_timesheet re-writes the ticket's project on all
        # of its lines whenever the ticket's project is written
        self.old.sudo().write({"project_id": self.project.id, "name": "Invoiced work"})
        self.ticket.project_id = self.project
        other = self.env["project.project"].create(
            {"name": "Elsewhere", "allow_timesheets": True}
        )
        with self.assertRaisesRegex(UserError, "is locked"):
            self.ticket.project_id = other

    def test_no_creating_or_moving_into_the_locked_period(self):
        for env_line in (self.Line.with_user(self.tech), self.Line.sudo()):
            with self.assertRaisesRegex(UserError, "is locked"):
                env_line.create(
                    {
                        "name": "Backdated",
                        "ticket_id": self.ticket.id,
                        "project_id": self.project.id,
                        "user_id": self.tech.id,
                        "date": self.lock_date,
                        "unit_amount": 1,
                    }
                )
        with self.assertRaisesRegex(UserError, "is locked"):
            self.open.sudo().write({"date": self.lock_date})
        # the day after the lock is open
        self.open.with_user(self.tech).write(
            {"date": self.lock_date + timedelta(days=1)}
        )
        self.assertEqual(self.open.date, self.lock_date + timedelta(days=1))

    def test_exempt_fields_are_only_billing_stamps(self):
        # none here; msp_mrr_billing (when installed) adds its invoice stamp
        self.assertLessEqual(
            self.Line._msp_lock_exempt_fields(), {"msp_billing_line_ids"}
        )
        self.assertEqual(self.old._msp_lock_date(), self.lock_date)

    def test_adjustment_creates_a_linked_correction(self):
        self.assertEqual(self.old.msp_billed_hours, 0.5)  # 20 min bills 30
        wizard = (
            self.env["msp.time.adjust"]
            .with_user(self.manager)
            .with_context(active_model="account.analytic.line", active_id=self.old.id)
            .create({"reason": "Client disputed: 10 minutes only"})
        )
        self.assertEqual(wizard.line_id, self.old)
        self.assertAlmostEqual(wizard.corrected_hours, 20 / 60)
        wizard.corrected_hours = 10 / 60
        self.assertAlmostEqual(wizard.delta_hours, -10 / 60)
        action = wizard.action_adjust()
        correction = self.Line.browse(action["res_id"])
        self.assertEqual(correction.msp_adjusted_line_id, self.old)
        self.assertEqual(correction.msp_adjustment_reason, wizard.reason)
        self.assertEqual(correction.date, self._today())
        self.assertEqual(correction.user_id, self.tech)
        self.assertEqual(correction.ticket_id, self.ticket)
        self.assertAlmostEqual(correction.unit_amount, -10 / 60)
        # billed 30 min before, 15 min after: the correction bills -15 min
        self.assertAlmostEqual(correction.msp_billed_hours, -0.25)
        self.assertEqual(self.old.msp_adjustment_ids, correction)
        self.assertAlmostEqual(self.old.unit_amount, 20 / 60, msg="untouched")
        self.assertAlmostEqual(self.old._msp_corrected_hours(), 10 / 60)
        # a second correction adds back 25 min: 35 min bills 45, +30 min
        wizard2 = (
            self.env["msp.time.adjust"]
            .with_user(self.billing)
            .create(
                {
                    "line_id": self.old.id,
                    "corrected_hours": 35 / 60,
                    "reason": "Forgot the follow-up call",
                }
            )
        )
        correction2 = self.Line.browse(wizard2.action_adjust()["res_id"])
        self.assertAlmostEqual(correction2.msp_billed_hours, 0.5)

    def test_adjustment_must_be_in_an_open_period(self):
        wizard = (
            self.env["msp.time.adjust"]
            .with_user(self.manager)
            .create(
                {
                    "line_id": self.old.id,
                    "corrected_hours": 0.0,
                    "reason": "Wrong client",
                    "date": self.lock_date,
                }
            )
        )
        with self.assertRaisesRegex(UserError, "after the lock date"):
            wizard.action_adjust()

    def test_technicians_cannot_adjust(self):
        with self.assertRaises(AccessError):
            self.env["msp.time.adjust"].with_user(self.tech).create(
                {"line_id": self.old.id, "corrected_hours": 0, "reason": "mine"}
            )

    def test_lock_refused_over_running_timers_and_drafts(self):
        self.company.msp_time_lock_date = False
        # demo meetings leave drafts of their own: confirm them first
        self.Line.search([("msp_state", "=", "draft")]).msp_action_confirm()
        draft = self._entry(msp_state="draft", hours=0.5)
        with self.assertRaisesRegex(UserError, "draft"):
            self.company.msp_time_lock_date = self._today()
        draft.msp_action_confirm()
        self.company.msp_time_lock_date = self._today()
        self.assertTrue(draft.msp_locked)
