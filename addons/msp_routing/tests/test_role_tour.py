# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged

from odoo.addons.msp_base.tests.common import role_user


@tagged("post_install", "-at_install")
class TestDispatcherTour(HttpCase):
    def test_dispatcher_triage(self):
        """A dispatcher in a real browser: triage, escalate with a reason,
        claim; the tour fails on any JS error."""
        dispatcher = role_user(
            self.env, "tour_role_disp", "group_msp_dispatcher", name="Tour Dispatcher"
        )
        team = self.env["helpdesk.ticket.team"].create(
            {"name": "Tour Desk", "user_ids": [(4, dispatcher.id)]}
        )
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Tour: VPN down",
                "description": "<p>Nobody can connect.</p>",
                "team_id": team.id,
                "priority": "1",
            }
        )
        ticket.user_id = False
        self.start_tour("/odoo", "msp_role_dispatcher", login="tour_role_disp")
        self.assertEqual(ticket.user_id, dispatcher)
        self.assertEqual(ticket.priority, "2", "escalation raised the priority")
        events = ticket.msp_routing_log_ids.mapped("event")
        self.assertIn("escalation", events)
        self.assertIn("claim", events)
