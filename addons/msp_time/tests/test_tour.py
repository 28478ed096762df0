# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.msp_base.tests.common import role_user


@tagged("post_install", "-at_install")
class TestTimerTour(HttpCase):
    def test_systray_stop_opens_the_entry(self):
        tech = role_user(self.env, "mt_tour_tech", "group_msp_technician")
        self.env["hr.employee"].create({"name": "Tour Tech", "user_id": tech.id})
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
                "name": "Tour printer jam",
                "description": "<p>Jam</p>",
                "team_id": team.id,
                "project_id": project.id,
                "user_id": tech.id,
            }
        )
        self.env.company.msp_work_type_id = self.env.ref("msp_time.work_type_included")
        ticket.with_user(tech).msp_action_start_timer()
        running = self.env["account.analytic.line"].search(
            [("user_id", "=", tech.id), ("msp_timer_running", "=", True)]
        )
        # started 12 minutes ago
        running.date_time = fields.Datetime.now() - timedelta(minutes=12)
        self.start_tour("/odoo", "msp_time_systray_stop", login="mt_tour_tech")
        running.invalidate_recordset()
        self.assertFalse(running.msp_timer_running)
        self.assertGreater(running.unit_amount, 0.19)
        self.assertEqual(running.msp_billed_hours, 0.25)
