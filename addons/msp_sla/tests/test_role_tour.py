# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.msp_base.tests.common import role_user


@tagged("post_install", "-at_install")
class TestManagerTour(HttpCase):
    def test_manager_sees_open_breaches(self):
        """A service manager in a real browser: SLA overview, open breaches
        with their overrun so far; the tour fails on any JS error."""
        role_user(self.env, "tour_role_manager", "group_msp_service_manager")
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
                "name": "Tour: server down",
                "description": "<p>Down.</p>",
                "partner_id": client.id,
                "priority": "3",
            }
        )
        # opened three days ago and never answered: both clocks breached
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=3), ticket.id),
        )
        ticket.invalidate_recordset(["create_date"])
        ticket.msp_sla_clock_ids.sudo().unlink()
        ticket._msp_sla_start_clocks()
        self.env["msp.sla.clock"]._cron_check()
        breaches = self.env["msp.sla.breach"].search([("ticket_id", "=", ticket.id)])
        self.assertTrue(breaches)
        self.start_tour("/odoo", "msp_role_manager", login="tour_role_manager")
