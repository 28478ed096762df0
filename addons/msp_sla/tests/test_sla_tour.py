# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import premium_ticket


@tagged("post_install", "-at_install")
class TestSlaTour(HttpCase):
    def test_countdown_badge_on_a_ticket(self):
        new_test_user(
            self.env,
            login="sla_tour_disp",
            groups="base.group_user,msp_base.group_msp_dispatcher",
        )
        ticket = premium_ticket(self.env, "Tour Client", "Tour: site down")
        self.assertEqual(ticket.msp_sla_response_status, "running")
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "msp_sla_countdown_badge",
            login="sla_tour_disp",
        )

    def test_countdown_past_due_reads_breached(self):
        """Past its deadline but not yet flagged by the cron (stored status
        running): the badge says "breached" with the overrun so far, the
        word a flagged clock gets; never "overdue"."""
        new_test_user(
            self.env,
            login="sla_tour_late",
            groups="base.group_user,msp_base.group_msp_dispatcher",
        )
        ticket = premium_ticket(
            self.env, "Tour Late Client", "Tour: past due", days_ago=7
        )
        # no cron run: what is stored still says the clock runs on time
        self.assertEqual(ticket.msp_sla_response_status, "running")
        self.assertLess(ticket.msp_sla_response_deadline, fields.Datetime.now())
        self.assertGreater(ticket.msp_sla_overrun_hours, 0)
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "msp_sla_countdown_past_due",
            login="sla_tour_late",
        )
