# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
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

    def test_countdown_past_due_reads_breached(self):
        """Past its deadline but not yet flagged by the cron (stored status
        running): the badge says "breached" with the overrun so far, the
        word a flagged clock gets; never "overdue"."""
        new_test_user(
            self.env,
            login="sla_tour_late",
            groups="base.group_user,msp_base.group_msp_dispatcher",
        )
        premium = self.env.ref("msp_sla.profile_premium")
        client = self.env["res.partner"].create(
            {
                "name": "Tour Late Client",
                "is_company": True,
                "msp_sla_profile_id": premium.id,
            }
        )
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Tour: past due",
                "description": "<p>Down.</p>",
                "partner_id": client.id,
                "priority": "3",
            }
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=7), ticket.id),
        )
        ticket.invalidate_recordset(["create_date"])
        ticket.msp_sla_clock_ids.sudo().unlink()
        ticket._msp_sla_start_clocks()
        # no cron run: what is stored still says the clock runs on time
        self.assertEqual(ticket.msp_sla_response_status, "running")
        self.assertLess(ticket.msp_sla_response_deadline, fields.Datetime.now())
        self.assertGreater(ticket.msp_sla_overrun_hours, 0)
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "msp_sla_countdown_past_due",
            login="sla_tour_late",
        )
