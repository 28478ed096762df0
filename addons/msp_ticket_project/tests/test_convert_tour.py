# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestConvertTour(HttpCase):
    def test_dispatcher_converts_a_ticket(self):
        """A dispatcher in a real browser: the badge in the queue, the
        wizard, the project; the tour fails on any JS error."""
        env = self.env
        env.company.write(
            {
                "msp_time_lock_date": False,
                "msp_project_threshold_hours": 8.0,
                "msp_work_type_id": env.ref("msp_time.work_type_included").id,
            }
        )
        dispatcher = new_test_user(
            env,
            login="tour_convert_disp",
            name="Tour Dispatcher",
            groups="base.group_user,msp_base.group_msp_dispatcher",
            tz="UTC",
        )
        env["hr.employee"].create({"name": "Tour Dispatcher", "user_id": dispatcher.id})
        desk = env["project.project"].create(
            {"name": "Tour Desk", "allow_timesheets": True}
        )
        team = env["helpdesk.ticket.team"].create(
            {
                "name": "Tour Convert Team",
                "allow_timesheet": True,
                "default_project_id": desk.id,
                "user_ids": [Command.link(dispatcher.id)],
            }
        )
        client = env["res.partner"].create({"name": "Tour Client", "is_company": True})
        ticket = env["helpdesk.ticket"].create(
            {
                "name": "Tour: tenant migration",
                "description": "<p>Move 40 mailboxes</p>",
                "partner_id": client.id,
                "team_id": team.id,
                "project_id": desk.id,
                "user_id": dispatcher.id,
                "msp_estimate_hours": 30.0,
            }
        )
        line = env["account.analytic.line"].create(
            {
                "name": "Discovery call",
                "ticket_id": ticket.id,
                "project_id": desk.id,
                "user_id": dispatcher.id,
                "unit_amount": 1.5,
            }
        )
        self.assertTrue(ticket.msp_should_be_project)
        self.start_tour(
            "/odoo/action-msp_base.action_msp_tickets",
            "msp_convert_ticket",
            login="tour_convert_disp",
        )
        project = ticket.project_id
        self.assertEqual(project.name, "Tour Tenant Migration")
        self.assertEqual(project.msp_state, "proposed")
        self.assertEqual(project.msp_origin_ticket_id, ticket)
        self.assertEqual(ticket.msp_project_link, "origin")
        self.assertFalse(ticket.msp_should_be_project)
        self.assertEqual(line.project_id, project)
        self.assertTrue(ticket.closed, "closed by default")
