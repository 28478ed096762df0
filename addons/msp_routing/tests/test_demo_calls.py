# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The demo's phone calls: each has its ticket, routed by the demo rules
(the routing log says so), and its minutes booked as time."""

from odoo.tests import TransactionCase, tagged

from odoo.addons.msp_routing.models.msp_demo import DEMO_CALLS


@tagged("post_install", "-at_install")
class TestDemoCalls(TransactionCase):
    def setUp(self):
        super().setUp()
        if not self.env.ref("msp_routing.rule_p1_on_call", raise_if_not_found=False):
            self.skipTest("database installed without demo data")
        self.calls = self.env["msp.phone.call"].search(
            [("subject", "in", [call[1] for call in DEMO_CALLS])]
        )

    def test_calls_have_their_ticket_and_time(self):
        self.assertEqual(len(self.calls), len(DEMO_CALLS))
        for call in self.calls:
            self.assertTrue(call.ticket_id, call.subject)
            self.assertEqual(call.timesheet_id.ticket_id, call.ticket_id)
            self.assertAlmostEqual(
                call.timesheet_id.unit_amount, call.duration_minutes / 60, 2
            )
            self.assertEqual(call.timesheet_id.user_id, call.user_id)

    def test_routing_log_shows_the_rules(self):
        logs = self.env["msp.routing.log"].search(
            [("ticket_id", "in", self.calls.ticket_id.ids), ("event", "=", "intake")]
        )
        self.assertIn(self.env.ref("msp_routing.rule_p1_on_call"), logs.rule_id)
        self.assertIn(self.env.ref("msp_routing.rule_m365_licences"), logs.rule_id)
        outage = self.calls.filtered(lambda c: "Outage" in c.subject).ticket_id
        self.assertEqual(outage.priority, "3")
        self.assertEqual(outage.team_id, self.env.ref("msp_base.team_network"))
        unknown = self.calls.filtered(lambda c: not c.partner_id)
        self.assertEqual(len(unknown), 1)
        self.assertTrue(unknown.ticket_id.msp_unknown_sender)

    def test_idempotent(self):
        self.assertFalse(self.env["msp.demo"].generate_phone_calls())
