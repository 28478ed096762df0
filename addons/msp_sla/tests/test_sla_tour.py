# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSlaTour(HttpCase):
    def test_countdown_badge_on_a_ticket(self):
        new_test_user(
            self.env,
            login="sla_tour_disp",
            groups="base.group_user,msp_base.group_msp_dispatcher",
        )
        premium = self.env.ref("msp_sla.profile_premium")
        client = self.env["res.partner"].create(
            {
                "name": "Tour Client",
                "is_company": True,
                "msp_sla_profile_id": premium.id,
            }
        )
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Tour: site down",
                "description": "<p>Down.</p>",
                "partner_id": client.id,
                "priority": "3",
            }
        )
        self.assertEqual(ticket.msp_sla_response_status, "running")
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "msp_sla_countdown_badge",
            login="sla_tour_disp",
        )
