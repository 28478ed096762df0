# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .test_project_billing import ProjectCase


@tagged("post_install", "-at_install")
class TestHypercare(ProjectCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.client_project)

    def notes(self, record):
        return " ".join(
            record.message_ids.filtered(
                lambda m: m.subtype_id == self.env.ref("mail.mt_note")
            ).mapped("body")
        )

    def ticket_entry(self, ticket, hours):
        return self.env["account.analytic.line"].create(
            {
                "name": "Hypercare fix",
                "ticket_id": ticket.id,
                "project_id": ticket.project_id.id,
                "employee_id": self.employee.id,
                "user_id": self.tech_user.id,
                "date": self.today,
                "unit_amount": hours,
            }
        )

    def test_inside_the_window_a_follow_up_is_hypercare(self):
        ticket = self.ticket(name="Mail rule broken after migration")
        ticket._msp_link_to_project(self.client_project)
        self.assertEqual(ticket.msp_project_link, "hypercare")
        self.assertEqual(ticket.project_id, self.client_project)
        self.assertEqual(ticket.milestone_id, self.hypercare)
        self.assertEqual(self.contract.msp_hypercare_end, self.hypercare.deadline)
        self.assertEqual(self.client_project.msp_state, "hypercare")
        entry = self.ticket_entry(ticket, 1.5)
        self.assertEqual(entry.project_id, self.client_project)
        self.assertEqual(entry.msp_work_kind, "project", "never on the MRR run")
        hours = self.client_project._msp_phase_hours(self.hypercare)
        self.assertEqual(hours, {self.hypercare.id: 1.5})

    def test_an_other_clients_ticket_is_a_plain_follow_up(self):
        other = self.env["res.partner"].create({"name": "Other", "is_company": True})
        ticket = self.ticket(client=other)
        ticket._msp_link_to_project(self.client_project)
        self.assertEqual(ticket.msp_project_link, "follow_up")
        self.assertFalse(ticket.milestone_id)
        self.assertFalse(self.contract.msp_hypercare_end)

    def test_before_the_window_a_follow_up_is_a_follow_up(self):
        self.hypercare.msp_date_start = self.today + timedelta(days=3)
        ticket = self.ticket()
        ticket._msp_link_to_project(self.client_project)
        self.assertEqual(ticket.msp_project_link, "follow_up")
        self.assertFalse(ticket.milestone_id)

    def test_after_the_window_a_follow_up_is_a_normal_ticket(self):
        self.hypercare.write(
            {
                "msp_date_start": self.today - timedelta(days=30),
                "deadline": self.today - timedelta(days=1),
            }
        )
        ticket = self.ticket(name="Printer again")
        ticket._msp_link_to_project(self.client_project)
        self.assertFalse(ticket.msp_project_link)
        self.assertEqual(ticket.project_id, self.project, "its team's project")
        self.assertFalse(ticket.milestone_id)
        self.assertFalse(self.contract.msp_hypercare_end)
        self.assertIn("after hypercare ended", self.notes(self.client_project))
        self.assertIn(ticket.number or ticket.name, self.notes(self.client_project))
        self.assertIn("normal ticket", self.notes(ticket))

    def test_budget_used_a_follow_up_is_a_normal_ticket(self):
        first = self.ticket(name="First")
        first._msp_link_to_project(self.client_project)
        self.ticket_entry(first, 4.0)  # the whole budget
        second = self.ticket(name="Second")
        second._msp_link_to_project(self.client_project)
        self.assertFalse(second.msp_project_link)
        self.assertEqual(second.project_id, self.project)
        self.assertFalse(second.milestone_id)
        self.assertIn("budget used", self.notes(self.client_project))

    def test_cron_starts_and_ends_hypercare(self):
        Project = self.env["project.project"]
        ended = Project.create(
            {
                "name": "Finished rollout",
                "partner_id": self.client.id,
                "msp_state": "hypercare",
                "allow_milestones": True,
            }
        )
        self.env["project.milestone"].create(
            {
                "name": "Hypercare",
                "project_id": ended.id,
                "msp_is_hypercare": True,
                "msp_date_start": self.today - timedelta(days=20),
                "deadline": self.today - timedelta(days=1),
            }
        )
        running = Project.create(
            {
                "name": "Still in hypercare",
                "partner_id": self.client.id,
                "msp_state": "hypercare",
                "allow_milestones": True,
            }
        )
        self.env["project.milestone"].create(
            {
                "name": "Hypercare",
                "project_id": running.id,
                "msp_is_hypercare": True,
                "msp_date_start": self.today - timedelta(days=1),
                "deadline": self.today + timedelta(days=1),
            }
        )
        # the fixture's project is in flight with its window open
        Project._cron_msp_hypercare()
        self.assertEqual(ended.msp_state, "done")
        self.assertIn(
            "Hypercare window ended", " ".join(ended.message_ids.mapped("body"))
        )
        self.assertEqual(running.msp_state, "hypercare")
        self.assertEqual(self.client_project.msp_state, "hypercare")
        self.assertEqual(self.contract.msp_hypercare_end, self.hypercare.deadline)
        # a second pass changes nothing
        Project._cron_msp_hypercare()
        self.assertEqual(ended.msp_state, "done")
