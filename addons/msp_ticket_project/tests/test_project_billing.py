# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, timedelta

import psycopg2
from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.msp_base.models.msp_system_fields import system_write
from odoo.addons.msp_mrr_billing.tests.common import BillingCase


class ProjectCase(BillingCase):
    """BillingCase's client (an MSP contract from 15 January 2026) with a
    client project: Discovery and Build phases, a Hypercare phase, a task
    on each of the first two and one without phase."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.pm = new_test_user(
            env,
            login="msp_project_billing_pm",
            groups="base.group_user,msp_ticket_project.group_msp_project_manager",
        )
        cls.client_project = env["project.project"].create(
            {
                "name": "Tenant Migration",
                "partner_id": cls.client.id,
                "msp_state": "in_flight",
                "allow_milestones": True,
                "allow_timesheets": True,
                "msp_billing_type": "tm",
                "msp_hourly_rate": 100.0,
                "user_id": cls.pm.id,
            }
        )
        Milestone = env["project.milestone"]
        cls.discovery = Milestone.create(
            {
                "name": "Discovery",
                "project_id": cls.client_project.id,
                "msp_sequence": 10,
                "msp_amount": 1000.0,
            }
        )
        cls.build = Milestone.create(
            {
                "name": "Build",
                "project_id": cls.client_project.id,
                "msp_sequence": 20,
                "msp_amount": 3000.0,
            }
        )
        today = fields.Date.context_today(cls.client_project)
        cls.hypercare = Milestone.create(
            {
                "name": "Hypercare",
                "project_id": cls.client_project.id,
                "msp_sequence": 60,
                "msp_is_hypercare": True,
                "msp_date_start": today - timedelta(days=5),
                "deadline": today + timedelta(days=10),
                "msp_budget_hours": 4.0,
            }
        )
        Task = env["project.task"]
        cls.t_discovery = Task.create(
            {
                "name": "Inventory the tenant",
                "project_id": cls.client_project.id,
                "milestone_id": cls.discovery.id,
            }
        )
        cls.t_build = Task.create(
            {
                "name": "Migrate mailboxes",
                "project_id": cls.client_project.id,
                "milestone_id": cls.build.id,
            }
        )
        cls.t_loose = Task.create(
            {"name": "Project admin", "project_id": cls.client_project.id}
        )

    def task_entry(self, task, hours, day=date(2026, 2, 2), **values):
        return self.env["account.analytic.line"].create(
            {
                "name": values.pop("name", "Project work"),
                "task_id": task.id,
                "project_id": task.project_id.id,
                "employee_id": self.employee.id,
                "user_id": self.tech_user.id,
                "date": day,
                "unit_amount": hours,
                **values,
            }
        )

    def invoice(self, project=None, user=None):
        project = (project or self.client_project).with_user(user or self.pm)
        return project.action_msp_invoice_project()

    def invoice_move(self, project=None, user=None):
        action = self.invoice(project, user)
        self.assertEqual(action["res_model"], "account.move")
        return self.env["account.move"].browse(action["res_id"])


@tagged("post_install", "-at_install")
class TestProjectBilling(ProjectCase):
    def test_client_projects_log_project_delivery_time(self):
        self.assertEqual(self.client_project.msp_work_type_id, self.types["project"])
        entry = self.task_entry(self.t_build, 2.0)
        self.assertEqual(entry.msp_work_kind, "project")
        internal = self.env["project.project"].create({"name": "Service desk"})
        self.assertFalse(internal.msp_work_type_id, "internal projects keep theirs")

    def test_tm_invoice_at_the_rate_per_phase_and_stamped(self):
        d1 = self.task_entry(self.t_discovery, 2.0)
        d2 = self.task_entry(self.t_discovery, 1.5)
        b1 = self.task_entry(self.t_build, 3.0)
        loose = self.task_entry(self.t_loose, 1.0)
        draft = self.task_entry(self.t_build, 5.0, msp_state="draft")
        internal = self.task_entry(
            self.t_build, 4.0, msp_work_type_id=self.types["internal"].id
        )
        move = self.invoice_move()
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.state, "draft")
        self.assertEqual(move.partner_id, self.client)
        lines = move.invoice_line_ids.sorted("sequence")
        self.assertEqual(lines.mapped("msp_milestone_id"), self.discovery | self.build)
        self.assertEqual(len(lines), 3, "Discovery, Build, then no phase")
        self.assertFalse(lines[2].msp_milestone_id)
        expected = [
            (d1 | d2, self.discovery),
            (b1, self.build),
            (loose, self.env["project.milestone"]),
        ]
        for line, (entries, _phase) in zip(lines, expected, strict=True):
            self.assertAlmostEqual(
                line.quantity, sum(entries.mapped("msp_billed_hours"))
            )
            self.assertEqual(line.price_unit, 100.0)
            self.assertEqual(line.msp_project_id, self.client_project)
            self.assertEqual(line.msp_project_bill_kind, "tm")
            self.assertEqual(entries.mapped("msp_invoice_line_id"), line)
        self.assertFalse(draft.msp_invoice_line_id, "draft time waits")
        self.assertFalse(internal.msp_invoice_line_id, "internal time is not billed")
        self.assertEqual(self.client_project.with_user(self.pm).msp_invoice_count, 1)

        # twice: nothing new, and it says so
        with self.assertRaisesRegex(UserError, "Nothing to invoice"):
            self.invoice()
        # invoiced time is frozen
        with self.assertRaisesRegex(UserError, "locked"):
            b1.unit_amount = 9.0
        # confirmed later: billed by the next run, alone
        draft.msp_state = "confirmed"
        second = self.invoice_move()
        self.assertEqual(draft.msp_invoice_line_id.move_id, second)
        self.assertEqual(len(second.invoice_line_ids), 1)

    def test_time_billed_elsewhere_is_not_billed_again(self):
        entry = self.task_entry(self.t_build, 2.0)
        other = self.task_entry(self.t_build, 1.0)
        elsewhere = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client.id,
                "invoice_line_ids": [
                    Command.create({"name": "Earlier", "price_unit": 1.0})
                ],
            }
        )
        self.client_project._msp_stamp([(entry.id, elsewhere.invoice_line_ids.id)])
        move = self.invoice_move()
        self.assertEqual(move.invoice_line_ids.quantity, other.msp_billed_hours)
        self.assertEqual(entry.msp_invoice_line_id.move_id, elsewhere)

    def test_cancelled_invoice_gives_its_time_back(self):
        entry = self.task_entry(self.t_build, 2.0)
        move = self.invoice_move()
        move.button_cancel()
        self.assertFalse(entry.msp_invoice_line_id)
        entry.unit_amount = 2.5  # no longer frozen
        with self.assertRaisesRegex(UserError, "Invoice Project"):
            move.button_draft()
        again = self.invoice_move()
        self.assertEqual(entry.msp_invoice_line_id.move_id, again)
        self.assertAlmostEqual(again.invoice_line_ids.quantity, 2.5)
        again.unlink()  # a deleted draft takes its stamps with it
        self.assertFalse(entry.msp_invoice_line_id)
        self.assertEqual(self.invoice_move().invoice_line_ids.quantity, 2.5)

    def test_tm_needs_a_rate_and_a_client(self):
        self.task_entry(self.t_build, 2.0)
        self.client_project.msp_hourly_rate = 0.0
        with self.assertRaisesRegex(UserError, "hourly rate"):
            self.invoice()
        self.client_project.msp_hourly_rate = 90.0
        self.client_project.partner_id = False
        with self.assertRaisesRegex(UserError, "no client"):
            self.invoice()

    def test_milestones_billed_once_when_reached(self):
        project = self.client_project
        project.msp_billing_type = "milestone"
        with self.assertRaisesRegex(UserError, "reached milestone"):
            self.invoice()
        d1 = self.task_entry(self.t_discovery, 2.0)
        b1 = self.task_entry(self.t_build, 3.0)
        self.discovery.is_reached = True
        move = self.invoice_move()
        line = move.invoice_line_ids
        self.assertEqual(len(line), 1)
        self.assertEqual(line.msp_milestone_id, self.discovery)
        self.assertEqual(line.msp_project_bill_kind, "milestone")
        self.assertEqual((line.quantity, line.price_unit), (1.0, 1000.0))
        self.assertEqual(d1.msp_invoice_line_id, line, "the phase's hours are covered")
        self.assertFalse(b1.msp_invoice_line_id, "Build is not reached")
        with self.assertRaisesRegex(UserError, "Nothing to invoice"):
            self.invoice()
        # late hours on the billed phase: covered by its invoice, nothing new
        late = self.task_entry(self.t_discovery, 1.0)
        action = self.invoice()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(late.msp_invoice_line_id, line)
        self.build.is_reached = True
        second = self.invoice_move()
        self.assertEqual(second.invoice_line_ids.msp_milestone_id, self.build)
        self.assertEqual(second.invoice_line_ids.price_unit, 3000.0)
        self.assertEqual(b1.msp_invoice_line_id.move_id, second)
        # the database refuses a second live line of a billed milestone
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            with self.env.cr.savepoint():
                with system_write():
                    second.write(
                        {
                            "invoice_line_ids": [
                                Command.create(
                                    {
                                        "name": "Build again",
                                        "price_unit": 3000.0,
                                        "msp_project_id": project.id,
                                        "msp_project_bill_kind": "milestone",
                                        "msp_milestone_id": self.build.id,
                                    }
                                )
                            ]
                        }
                    )
                    second.flush_recordset()
                    self.env["account.move.line"].flush_model()

    def test_fixed_price_billed_once(self):
        project = self.client_project
        project.write({"msp_billing_type": "fixed", "msp_fixed_price": 0.0})
        with self.assertRaisesRegex(UserError, "fixed price is not set"):
            self.invoice()
        project.msp_fixed_price = 5000.0
        entry = self.task_entry(self.t_build, 3.0)
        move = self.invoice_move()
        line = move.invoice_line_ids
        self.assertEqual((line.quantity, line.price_unit), (1.0, 5000.0))
        self.assertEqual(line.msp_project_bill_kind, "fixed")
        self.assertEqual(entry.msp_invoice_line_id, line)
        with self.assertRaisesRegex(UserError, "already invoiced"):
            self.invoice()
        late = self.task_entry(self.t_build, 1.0)
        self.assertEqual(self.invoice()["tag"], "display_notification")
        self.assertEqual(late.msp_invoice_line_id, line)

    def test_only_billing_and_project_managers_invoice(self):
        self.task_entry(self.t_build, 2.0)
        tech = new_test_user(
            self.env,
            login="msp_project_billing_tech",
            groups="base.group_user,msp_base.group_msp_technician",
        )
        with self.assertRaises(AccessError):
            self.invoice(user=tech)
        billing = new_test_user(
            self.env,
            login="msp_project_billing_user",
            groups="base.group_user,msp_base.group_msp_billing",
        )
        move = self.invoice_move(user=billing)
        self.assertEqual(move.invoice_line_ids.msp_project_id, self.client_project)

    def test_project_time_never_reaches_the_mrr_run(self):
        project_entry = self.task_entry(self.t_build, 3.0, day=date(2026, 2, 2))
        ticket = self.ticket()
        included = self.entry(ticket, date(2026, 2, 2), 1.0, "included")
        tm = self.entry(ticket, date(2026, 2, 3), 1.0, "billable")
        run_line = self.bill(date(2026, 2, 15), self.contract).line_ids
        self.assertEqual(run_line.state, "invoiced", run_line.error)
        self.assertTrue(tm.msp_invoice_line_id, "the run billed hours")
        self.assertNotEqual(included.msp_work_kind, "project")
        self.assertFalse(project_entry.msp_invoice_line_id)
        self.assertNotIn(
            project_entry, run_line.move_id.invoice_line_ids.msp_time_entry_ids
        )
        # ... and the project bills it
        move = self.invoice_move()
        self.assertEqual(project_entry.msp_invoice_line_id.move_id, move)

    def test_wip_shows_unbilled_project_hours_until_invoiced(self):
        entry = self.task_entry(self.t_build, 2.0)
        Wip = self.env["msp.wip.report"]
        rows = Wip.search([("entry_id", "=", entry.id)])
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows.project_id, self.client_project)
        self.assertEqual(rows.work_kind, "project")
        self.invoice_move()
        self.env.invalidate_all()
        self.assertFalse(Wip.search([("entry_id", "=", entry.id)]))
