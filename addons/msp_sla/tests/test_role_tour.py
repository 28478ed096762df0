# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).

from odoo.tests import HttpCase, tagged

from odoo.addons.msp_base.tests.common import role_user

from .common import premium_ticket


@tagged("post_install", "-at_install")
class TestManagerTour(HttpCase):
    def test_manager_sees_open_breaches(self):
        """A service manager in a real browser: SLA overview, open breaches
        with their overrun so far; the tour fails on any JS error."""
        role_user(self.env, "tour_role_manager", "group_msp_service_manager")
        # opened three days ago and never answered: both clocks breached
        ticket = premium_ticket(
            self.env, "Tour Client", "Tour: server down", days_ago=3
        )
        self.env["msp.sla.clock"]._cron_check()
        breaches = self.env["msp.sla.breach"].search([("ticket_id", "=", ticket.id)])
        self.assertTrue(breaches)
        self.start_tour("/odoo", "msp_role_manager", login="tour_role_manager")
