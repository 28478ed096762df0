# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from odoo.addons.msp_base.tests.common import make_portal_client, role_user


@tagged("post_install", "-at_install")
class TestBillingTour(HttpCase):
    def test_billing_month_end(self):
        """Billing in a real browser: runs, run the billing, accept the
        flagged line, post; the tour fails on any JS error."""
        role_user(self.env, "tour_role_billing", "group_msp_billing")
        client = self.env["res.partner"].create(
            {"name": "Tour Client Ltd", "is_company": True, "email": "ap@tour.example"}
        )
        product = self.env["product.product"].create(
            {"name": "Managed services base", "type": "service"}
        )
        # post-paid monthly from the 1st of last month: one cycle due today
        start = fields.Date.today().replace(day=1) - relativedelta(months=1)
        contract = self.env["contract.contract"].create(
            {
                "name": "MSP Tour Client",
                "partner_id": client.id,
                "date_start": start,
                "recurring_rule_type": "monthly",
                "recurring_invoicing_type": "post-paid",
                "msp_billing": True,
                "line_recurrence": False,
                "contract_line_fixed_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "name": "Managed services",
                            "quantity": 1,
                            "price_unit": 500.0,
                        }
                    )
                ],
            }
        )
        # Run Billing's jobs run inline here (no job runner in tests)
        with patch(
            "odoo.addons.queue_job.delay.must_run_without_delay", return_value=True
        ):
            self.start_tour("/odoo", "msp_role_billing", login="tour_role_billing")
        line = self.env["msp.billing.run.line"].search(
            [("contract_id", "=", contract.id)]
        )
        self.assertEqual(len(line), 1)
        self.assertEqual(line.move_id.state, "posted")
        self.assertEqual(line.move_id.amount_untaxed, 500.0)


@tagged("post_install", "-at_install")
class TestPortalTour(HttpCase):
    def test_portal_client(self):
        """A client's portal user in a real browser: a new ticket with
        urgency, impact and their device, its service level, their
        contract; the tour fails on any JS error."""
        client, contact, _user = make_portal_client(
            self.env, "Tour Portal Client", "tour_role_portal"
        )
        client.msp_sla_profile_id = self.env.ref("msp_sla.profile_premium")
        laptop = self.env["msp.asset"].create(
            {
                "name": "TOURPORTAL-LT",
                "client_id": client.id,
                "type_id": self.env.ref("msp_assets.asset_type_laptop").id,
            }
        )
        product = self.env["product.product"].create(
            {"name": "Managed services base", "type": "service"}
        )
        contract = self.env["contract.contract"].create(
            {
                "name": "MSP Tour Portal Client",
                "partner_id": client.id,
                "date_start": fields.Date.today().replace(day=1),
                "recurring_rule_type": "monthly",
                "recurring_invoicing_type": "post-paid",
                "msp_billing": True,
                "line_recurrence": False,
                "contract_line_fixed_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "name": "Managed services",
                            "quantity": 1,
                            "price_unit": 500.0,
                        }
                    )
                ],
            }
        )
        contract.message_subscribe(partner_ids=contact.ids)
        self.start_tour(
            "/new/ticket",
            "msp_role_portal",
            login="tour_role_portal",
        )
        ticket = self.env["helpdesk.ticket"].search(
            [("name", "=", "Laptop will not boot")]
        )
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.partner_id, contact)
        self.assertEqual(ticket.msp_urgency, "stopped")
        self.assertEqual(ticket.msp_asset_id, laptop)
