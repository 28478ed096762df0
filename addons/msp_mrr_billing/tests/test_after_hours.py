# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import importlib.util
from datetime import date, datetime
from pathlib import Path

from freezegun import freeze_time
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestAfterHours(BillingCase):
    """Billable work after hours is invoiced at the contract's multiplier, on
    its own line; a timer started outside working hours flags its entry."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.resource_calendar_id.tz = "UTC"

    def test_after_hours_tm_work_is_billed_at_the_multiplier(self):
        self.contract.msp_after_hours_multiplier = 1.5
        outage = self.ticket(name="Server down at night")
        day = self.entry(outage, date(2026, 1, 20), 1.0, kind="billable")
        night = self.entry(
            outage, date(2026, 1, 20), 2.0, kind="billable", msp_after_hours=True
        )
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        tm = self.invoice_line(line, self.p_tm)
        self.assertEqual(len(tm), 2, "one line per ticket and rate")
        normal = tm.filtered(lambda line: not line.msp_after_hours)
        after = tm - normal
        self.assertEqual((normal.quantity, normal.price_unit), (1.0, 120.0))
        self.assertEqual((after.quantity, after.price_unit), (2.0, 180.0))
        self.assertIn("after hours (x1.5)", after.name)
        self.assertEqual(day.msp_invoice_line_id, normal)
        self.assertEqual(night.msp_invoice_line_id, after)
        self.assertEqual(line.tm_hours, 3.0)
        self.assertEqual(line.amount_untaxed, 500.0 + 120.0 + 360.0)

    def test_included_work_after_hours_only_counts_hours(self):
        ticket = self.ticket()
        self.entry(ticket, date(2026, 1, 20), 11.0, msp_after_hours=True)
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        self.assertEqual(self.invoice_line(line, self.p_overage).quantity, 1.0)
        self.assertEqual(self.invoice_line(line, self.p_overage).price_unit, 150.0)

    def test_a_timer_started_outside_working_hours_is_after_hours(self):
        self.tech_user.groups_id |= self.env.ref("msp_base.group_msp_technician")
        ticket = self.ticket().with_user(self.tech_user)
        Entry = self.env["account.analytic.line"].with_user(self.tech_user)
        flags = {}
        for label, moment in [
            ("wednesday morning", datetime(2026, 3, 4, 10, 0)),
            ("saturday", datetime(2026, 3, 7, 10, 0)),
            ("monday night", datetime(2026, 3, 9, 22, 30)),
        ]:
            with freeze_time(moment):
                ticket.msp_action_start_timer()
                running = Entry._msp_running_timer()
                flags[label] = running.msp_after_hours
                running.button_end_work()
        self.assertEqual(
            flags,
            {"wednesday morning": False, "saturday": True, "monday night": True},
        )

    def test_a_timer_started_the_oca_way_is_flagged_too(self):
        ticket = self.ticket()
        Entry = self.env["account.analytic.line"]
        values = {
            "name": "Call-out",
            "ticket_id": ticket.id,
            "project_id": self.project.id,
            "employee_id": self.employee.id,
            "user_id": self.tech_user.id,
            "msp_work_type_id": self.types["billable"].id,
            "date_time": datetime(2026, 3, 7, 10, 0),  # Saturday
            "unit_amount": 0.0,
        }
        # what msp_time's start/resume wizard (hr.timesheet.switch) does:
        # a zero-hour line is a timer only when the user started one
        self.assertFalse(Entry.create(dict(values, name="typed")).msp_timer_running)
        timer = Entry.with_context(msp_timer_start=True).create(values)
        self.assertTrue(timer.msp_timer_running)
        self.assertTrue(timer.msp_after_hours)
        # it has run since March: more than an entry holds unless allowed
        with self.assertRaisesRegex(ValidationError, "more than one entry may hold"):
            with self.env.cr.savepoint():
                timer.button_end_work()
        self.env.company.msp_time_max_entry_hours = 0
        timer.button_end_work()
        told = Entry.create(dict(values, msp_after_hours=False))
        self.assertFalse(told.msp_after_hours, "the technician's word stands")
        logged = Entry.create(dict(values, unit_amount=1.0))
        self.assertFalse(logged.msp_after_hours, "logged time is not a timer")

    def test_technicians_see_whether_time_is_billed_not_the_invoice(self):
        ticket = self.ticket()
        entry = self.entry(ticket, date(2026, 1, 20), 1.0, kind="billable")
        self.bill(date(2026, 2, 15), self.contract)
        self.tech_user.groups_id |= self.env.ref("msp_base.group_msp_technician")
        Entry = self.env["account.analytic.line"].with_user(self.tech_user)
        self.assertIn(entry, Entry.search([("msp_invoice_line_id", "!=", False)]))
        self.assertNotIn(entry, Entry.search([("msp_invoice_line_id", "=", False)]))
        self.assertTrue(entry.with_user(self.tech_user).msp_invoice_line_id)

    def test_billing_stamps_live_in_the_narrow_table(self):
        ticket = self.ticket()
        entry = self.entry(ticket, date(2026, 1, 20), 1.0, kind="billable")
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        tm = self.invoice_line(line, self.p_tm)
        self.env.cr.execute(
            "SELECT invoice_line_id FROM msp_billed_time WHERE entry_id = %s",
            [entry.id],
        )
        self.assertEqual(self.env.cr.fetchall(), [(tm.id,)])
        Entry = self.env["account.analytic.line"]
        self.assertIn(entry, Entry.search([("msp_invoice_line_id", "=", tm.id)]))
        self.assertNotIn(entry, Entry.search([("msp_invoice_line_id", "=", False)]))
        self.assertEqual(tm.msp_time_entry_ids, entry)

    def test_migration_moves_old_stamps_to_the_narrow_table(self):
        """18.0.3.0.0: stamps in the old account_analytic_line column move
        to msp_billed_time and the column goes."""
        path = Path(__file__).parents[1] / "migrations/18.0.3.0.0/post-migrate.py"
        spec = importlib.util.spec_from_file_location("msp_billing_mig_3", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        ticket = self.ticket()
        entry = self.entry(ticket, date(2026, 1, 20), 1.0, kind="billable")
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        tm = self.invoice_line(line, self.p_tm)
        cr = self.env.cr
        # the schema before: the stamp is a column, the table is empty
        cr.execute("DELETE FROM msp_billed_time WHERE entry_id = %s", [entry.id])
        cr.execute(
            "ALTER TABLE account_analytic_line ADD COLUMN msp_invoice_line_id int"
        )
        cr.execute(
            "UPDATE account_analytic_line SET msp_invoice_line_id = %s WHERE id = %s",
            [tm.id, entry.id],
        )
        migration.migrate(cr, "18.0.2.0.0")
        cr.execute("SELECT invoice_line_id FROM msp_billed_time WHERE entry_id = %s",
                   [entry.id])  # fmt: skip
        self.assertEqual(cr.fetchall(), [(tm.id,)])
        cr.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name ="
            " 'account_analytic_line' AND column_name = 'msp_invoice_line_id'"
        )
        self.assertFalse(cr.fetchall(), "the old column is gone")
        migration.migrate(cr, "18.0.2.0.0")  # a second run does nothing
