# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged

from .common_change_order import make_change_order, make_change_order_world


@tagged("post_install", "-at_install")
class TestChangeOrderTour(HttpCase):
    def test_client_approves_a_change_order_in_the_portal(self):
        """The client's portal user in a real browser: /my → the project →
        its change order → Approve; the tour fails on any JS error."""
        make_change_order_world(self, "COTour")
        order = make_change_order(
            self.env, self.project, self.pm, milestone_id=self.build.id
        )
        order.action_send()
        self.start_tour("/my", "msp_change_order_portal", login=self.portal_user.login)
        order.invalidate_recordset()
        self.assertEqual(order.state, "approved")
        self.assertEqual(order.approved_by_id, self.contact)
        self.assertEqual(order.decision_channel, "portal")
        self.assertEqual(self.build.msp_budget_hours, 50.0)
        self.assertEqual(len(order.invoice_line_id), 1)
