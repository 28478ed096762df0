# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_convert import TicketProjectCase


@tagged("post_install", "-at_install")
class TestConvert(TicketProjectCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.env["project.project"].create(
            {
                "name": "Migration (TEMPLATE)",
                "is_template": True,
                "allow_milestones": True,
                "allow_timesheets": True,
            }
        )
        cls.phases = cls.env["project.milestone"].create(
            [
                {
                    "name": name,
                    "project_id": cls.template.id,
                    "msp_sequence": seq,
                    "msp_budget_hours": budget,
                }
                for seq, (name, budget) in enumerate(
                    [("Discovery", 4), ("Build", 16), ("Hypercare", 6)]
                )
            ]
        )
        cls.env["project.task"].create(
            {
                "name": "Inventory mailboxes",
                "project_id": cls.template.id,
                "milestone_id": cls.phases[0].id,
                "allocated_hours": 3,
            }
        )
        cls.existing = cls.env["project.project"].create(
            {
                "name": "Acme Network Refresh",
                "partner_id": cls.client.id,
                "allow_timesheets": True,
                "msp_state": "in_flight",
            }
        )

    # ------------------------------------------------------------ helpers

    def _convert(self, ticket, user=None, **values):
        values.setdefault("mode", "blank")
        values.setdefault("ticket_action", "keep")
        wizard = self._wizard(ticket, user=user, **values)
        wizard.action_convert()
        return wizard

    def _invoiced(self, line):
        """Stamp ``line`` as billed on a draft invoice line (as the billing
        run does)."""
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client.id,
                "invoice_line_ids": [
                    Command.create({"name": "Overage", "quantity": 1, "price_unit": 90})
                ],
            }
        )
        line.sudo().msp_billing_line_ids = [Command.set(move.invoice_line_ids.ids)]
        return move

    # ------------------------------------------------------------ modes

    def test_new_project_from_template_with_phases(self):
        ticket = self._ticket(msp_estimate_hours=30.0)
        wizard = self._convert(
            ticket,
            mode="template",
            template_id=self.template.id,
            project_name="Tenant Migration",
            project_manager_id=self.pm.id,
        )
        project = wizard.result_project_id
        self.assertTrue(project)
        self.assertEqual(project.name, "Tenant Migration")
        self.assertFalse(project.is_template)
        self.assertEqual(project.partner_id, self.client, "commercial partner")
        self.assertEqual(project.user_id, self.pm)
        self.assertEqual(project.msp_state, "proposed")
        self.assertEqual(project.msp_origin_ticket_id, ticket)
        self.assertEqual(project.privacy_visibility, "portal")
        self.assertIn("move 40 mailboxes", str(project.description))
        self.assertEqual(
            project.milestone_ids.mapped("name"), ["Discovery", "Build", "Hypercare"]
        )
        self.assertEqual(project.milestone_ids.mapped("msp_budget_hours"), [4, 16, 6])
        task = project.task_ids
        self.assertEqual(task.name, "Inventory mailboxes")
        self.assertEqual(task.milestone_id.project_id, project, "phase mapped")
        # the template is untouched
        self.assertEqual(len(self.template.milestone_ids), 3)
        self.assertTrue(self.template.is_template)
        # links both ways
        self.assertEqual(ticket.project_id, project)
        self.assertEqual(ticket.msp_project_link, "origin")
        self.assertIn(ticket, project.ticket_ids)
        self.assertEqual(project.ticket_count, 1)
        # notes on both sides
        self.assertIn(
            ticket.number or ticket.name,
            " ".join(project.message_ids.mapped("body")),
        )
        self.assertIn("converted", " ".join(ticket.message_ids.mapped("body")))

    def test_new_task_in_existing_project(self):
        ticket = self._ticket("Add a site VPN", msp_estimate_hours=6.0)
        wizard = self._convert(ticket, mode="task", project_id=self.existing.id)
        task = wizard.result_task_id
        self.assertEqual(task.project_id, self.existing)
        self.assertEqual(task.allocated_hours, 6.0)
        self.assertEqual(task.partner_id, self.contact)
        self.assertEqual(ticket.project_id, self.existing)
        self.assertEqual(ticket.task_id, task)
        self.assertIn(ticket, task.ticket_ids)
        self.assertIn(ticket, self.existing.ticket_ids)
        self.assertEqual(self.existing.msp_state, "in_flight", "existing untouched")
        self.assertFalse(self.existing.msp_origin_ticket_id)
        self.assertIn(ticket.name, " ".join(task.message_ids.mapped("body")))
        with self.assertRaises(UserError):
            self._convert(self._ticket("x"), mode="task", project_id=self.template.id)

    def test_attachments_and_followers_are_carried(self):
        ticket = self._ticket()
        ticket.message_subscribe(partner_ids=self.contact.ids)
        attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": name,
                    "datas": base64.b64encode(content),
                    "res_model": "helpdesk.ticket",
                    "res_id": ticket.id,
                }
                for name, content in (
                    ("scope.txt", b"40 mailboxes"),
                    ("diagram.txt", b"tenant A -> tenant B"),
                )
            ]
        )
        project = self._convert(ticket).result_project_id
        copies = self.env["ir.attachment"].search(
            [("res_model", "=", "project.project"), ("res_id", "=", project.id)]
        )
        self.assertEqual(sorted(copies.mapped("name")), ["diagram.txt", "scope.txt"])
        self.assertEqual(
            sorted(copies.mapped("raw")), sorted(attachments.mapped("raw"))
        )
        self.assertEqual(attachments.exists(), attachments, "ticket keeps its own")
        self.assertTrue(all(a.res_id == ticket.id for a in attachments))
        self.assertIn(self.contact, project.message_partner_ids)

    # ------------------------------------------------------------ time

    def test_time_moved(self):
        ticket = self._ticket()
        lines = self._entry(ticket, 1.5) | self._entry(ticket, 2.0)
        internal = self._entry(ticket, 0.5, msp_work_type_id=self.internal.id)
        wizard = self._wizard(ticket, mode="blank", ticket_action="keep")
        self.assertAlmostEqual(wizard.total_hours, 4.0)
        self.assertAlmostEqual(wizard.movable_hours, 4.0)
        self.assertFalse(wizard.stay_hours)
        with self.assertRaisesRegex(UserError, "choose whether"):
            wizard.action_convert()
        wizard.time_action = "move"
        wizard.action_convert()
        project = wizard.result_project_id
        self.assertEqual((lines | internal).mapped("project_id"), project)
        self.assertEqual(lines.mapped("msp_work_kind"), ["project", "project"])
        self.assertIn("Moved to project", lines[0].msp_work_type_reason)
        self.assertEqual(internal.msp_work_kind, "internal", "non-billable stays so")
        self.assertEqual(lines.mapped("msp_billed_hours"), [1.5, 2.0])
        self.assertEqual((lines | internal).mapped("ticket_id"), ticket, "readable")
        self.assertEqual(ticket.total_hours, 4.0)
        self.assertIn("moved", wizard.summary)
        # new time on the ticket goes to the project
        self.assertEqual(ticket._msp_timer_values()["project_id"], project.id)

    def test_time_kept(self):
        ticket = self._ticket()
        lines = self._entry(ticket, 1.0) | self._entry(ticket, 3.0)
        wizard = self._convert(ticket, time_action="keep")
        self.assertEqual(lines.mapped("project_id"), self.desk)
        self.assertEqual(lines.mapped("msp_work_kind"), ["included", "included"])
        self.assertEqual(ticket.project_id, wizard.result_project_id)
        self.assertIn("kept", wizard.summary)

    def test_task_mode_moves_time_to_the_task(self):
        ticket = self._ticket()
        line = self._entry(ticket, 2.0)
        task = self._convert(
            ticket, mode="task", project_id=self.existing.id, time_action="move"
        ).result_task_id
        self.assertEqual(line.project_id, self.existing)
        self.assertEqual(line.task_id, task)
        self.assertEqual(task.effective_hours, 2.0)

    def test_invoiced_and_locked_time_never_moves(self):
        ticket = self._ticket()
        today = fields.Date.today()
        open_line = self._entry(ticket, 1.0, name="Open work")
        invoiced = self._entry(ticket, 2.0, name="Billed overage")
        move = self._invoiced(invoiced)
        locked = self._entry(
            ticket, 0.75, name="Last month", date=today - timedelta(days=40)
        )
        self.company.msp_time_lock_date = today - timedelta(days=30)
        self.assertTrue(locked.msp_locked)
        wizard = self._wizard(ticket, mode="blank", ticket_action="keep")
        self.assertAlmostEqual(wizard.total_hours, 3.75)
        self.assertAlmostEqual(wizard.movable_hours, 1.0)
        self.assertAlmostEqual(wizard.stay_hours, 2.75)
        self.assertIn("Billed overage", wizard.stay_html)
        self.assertIn("Last month", wizard.stay_html)
        wizard.time_action = "move"
        wizard.action_convert()
        project = wizard.result_project_id
        self.assertEqual(open_line.project_id, project)
        self.assertEqual(invoiced.project_id, self.desk)
        self.assertEqual(locked.project_id, self.desk)
        self.assertEqual(invoiced.msp_work_kind, "included")
        self.assertEqual(invoiced.msp_invoice_line_id.move_id, move)
        # the wizard and the ticket's chatter say which stayed and why
        note = ticket.message_ids.filtered(lambda m: "stayed" in (m.body or ""))
        self.assertEqual(len(note), 1)
        for text in (wizard.summary, note.body):
            self.assertIn("Billed overage", text)
            self.assertIn("invoiced", text)
            self.assertIn("Last month", text)
            self.assertIn("locked", text)

    def test_only_unmovable_time_needs_no_choice(self):
        ticket = self._ticket()
        locked = self._entry(ticket, 1.0, date=fields.Date.today() - timedelta(days=9))
        self.company.msp_time_lock_date = fields.Date.today() - timedelta(days=5)
        wizard = self._convert(ticket)  # no time choice: nothing could move
        self.assertEqual(locked.project_id, self.desk)
        self.assertIn("stayed", wizard.summary)

    def test_plain_project_change_keeps_oca_behaviour(self):
        """Outside the wizard, a ticket's unlocked time still follows its
        project (helpdesk_mgmt_timesheet); locked time still refuses."""
        ticket = self._ticket()
        line = self._entry(ticket, 1.0)
        ticket.project_id = self.existing
        self.assertEqual(line.project_id, self.existing)

    # ------------------------------------------------------------ ticket

    def test_close_or_keep_the_ticket(self):
        kept = self._ticket("Kept")
        self._entry(kept, 2.0)
        self._convert(kept, time_action="keep", ticket_action="keep")
        self.assertFalse(kept.closed)
        closed = self._ticket("Closed")
        self._entry(closed, 2.0)  # above the resolution-note threshold
        wizard = self._convert(closed, time_action="move", ticket_action="close")
        self.assertTrue(closed.closed)
        self.assertIn(wizard.result_project_id.name, closed.msp_resolution_done)
        # the converted ticket keeps its chatter and stays linked
        self.assertEqual(closed.project_id, wizard.result_project_id)
        self.assertIn(closed, wizard.result_project_id.ticket_ids)

    def test_converted_once(self):
        ticket = self._ticket()
        self._convert(ticket)
        with self.assertRaisesRegex(UserError, "already converted"):
            self._convert(ticket)

    # ------------------------------------------------------------ follow-ups

    def test_follow_up_from_the_ticket(self):
        origin = self._ticket()
        project = self._convert(origin).result_project_id
        later = self._ticket("The server needs replacing")
        line = self._entry(later, 1.0)
        action = later.with_user(self.dispatcher).action_msp_link_to_project()
        link = (
            self.env[action["res_model"]]
            .with_user(self.dispatcher)
            .with_context(**action["context"])
            .create({"project_id": project.id})
        )
        link.action_link()
        self.assertEqual(later.project_id, project)
        self.assertEqual(later.msp_project_link, "follow_up")
        self.assertEqual(line.project_id, self.desk, "logged time stays")
        self.assertEqual(project.ticket_ids, origin | later)
        self.assertEqual(project.ticket_count, 2)
        self.assertIn(later.name, " ".join(project.message_ids.mapped("body")))
        with self.assertRaises(UserError):
            self.env["msp.ticket.link.project"].with_user(self.dispatcher).create(
                {"ticket_ids": [Command.set(origin.ids)], "project_id": project.id}
            ).action_link()

    def test_follow_up_only_to_an_open_project_of_the_tickets_client(self):
        """The dialog offers only these; a call over RPC is held to it too."""
        project = self._convert(self._ticket()).result_project_id
        other = self.env["res.partner"].create(
            {"name": "Someone Else Ltd", "is_company": True}
        )
        foreign = self.env["project.project"].create(
            {"name": "Not theirs", "partner_id": other.id, "msp_state": "proposed"}
        )
        later = self._ticket("Follow-up")
        Link = self.env["msp.ticket.link.project"].with_user(self.dispatcher)
        for target in (foreign, project):
            if target == project:
                project.sudo().msp_state = "cancelled"
            with self.assertRaisesRegex(UserError, "not an open project"):
                Link.create(
                    {"ticket_ids": [Command.set(later.ids)], "project_id": target.id}
                ).action_link()
        self.assertNotIn(later.project_id, foreign | project)  # the desk stays

    def test_follow_up_from_a_routing_rule(self):
        project = self._convert(self._ticket()).result_project_id
        self.env["msp.routing.rule"].create(
            {
                "name": "Tenant client follow-ups",
                "sequence": -1000,
                "client_ids": [Command.set(self.client.ids)],
                "set_team_id": self.team.id,
                "msp_project_id": project.id,
            }
        )
        ticket = self.Ticket.create(
            {
                "name": "Mailbox missing after migration",
                "description": "<p>Since the cutover</p>",
                "partner_id": self.contact.id,
            }
        )
        self.assertEqual(ticket.project_id, project)
        self.assertEqual(ticket.msp_project_link, "follow_up")
        self.assertIn(ticket, project.ticket_ids)
        log = ticket.msp_routing_log_ids
        self.assertIn("project follow-up", " ".join(log.mapped("changes")))
        other = self.Ticket.create(
            {"name": "Someone else's printer", "description": "<p>Jam</p>"}
        )
        self.assertFalse(other.msp_project_link)

    # ------------------------------------------------------------ security

    def test_technician_is_refused(self):
        ticket = self._ticket()
        with self.assertRaises(AccessError):
            ticket.with_user(self.tech).action_msp_convert_to_project()
        with self.assertRaises(AccessError):
            ticket.with_user(self.tech).action_msp_link_to_project()
        with self.assertRaises(AccessError):
            self._wizard(ticket, user=self.tech, mode="blank")
        with self.assertRaises(AccessError):
            self.env["msp.ticket.link.project"].with_user(self.tech).create(
                {
                    "ticket_ids": [Command.set(ticket.ids)],
                    "project_id": self.existing.id,
                }
            )
        # a wizard made by someone else cannot be run by a technician
        wizard = self._wizard(ticket, mode="blank", ticket_action="keep")
        with self.assertRaises(AccessError):
            wizard.with_user(self.tech).action_convert()
        self.assertFalse(ticket.msp_project_link)

    def test_project_manager_and_service_manager_may_convert(self):
        for user in (self.pm, self.manager):
            ticket = self._ticket(f"By {user.login}")
            wizard = self._convert(ticket, user=user)
            self.assertEqual(ticket.project_id, wizard.result_project_id)
            self.assertEqual(wizard.result_project_id.create_uid, user)
