# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged

from odoo.addons.msp_base.tests.common import role_user


@tagged("post_install", "-at_install")
class TestTechnicianTour(HttpCase):
    def test_technician_day(self):
        """A technician in a real browser: queue, ticket, timer, My Day; the
        tour fails on any JS error."""
        tech = role_user(self.env, "tour_role_tech", "group_msp_technician")
        self.env["hr.employee"].create({"name": "Tour Technician", "user_id": tech.id})
        project = self.env["project.project"].create(
            {"name": "Tour Project", "allow_timesheets": True}
        )
        team = self.env["helpdesk.ticket.team"].create(
            {
                "name": "Tour Team",
                "allow_timesheet": True,
                "default_project_id": project.id,
                "user_ids": [(4, tech.id)],
            }
        )
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Tour: printer jam",
                "description": "<p>Jam</p>",
                "team_id": team.id,
                "project_id": project.id,
                "user_id": tech.id,
            }
        )
        self.env.company.msp_work_type_id = self.env.ref("msp_time.work_type_included")
        self.start_tour("/odoo", "msp_role_technician", login="tour_role_tech")
        entry = self.env["account.analytic.line"].search(
            [("user_id", "=", tech.id), ("ticket_id", "=", ticket.id)]
        )
        self.assertEqual(len(entry), 1)
        self.assertFalse(entry.msp_timer_running)
        self.assertEqual(entry.name, "Cleared the jam, replaced the fuser")
