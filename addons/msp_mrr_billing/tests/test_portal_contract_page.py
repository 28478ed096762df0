# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The client's contract on the portal over real HTTP: an empty state, the
services with the quantity that bills (last asset count), the prepaid
hours with their movements (top-up, each cycle's use with the tickets
worked) on the contract page and on /my/prepaid-hours, the /my card; and
another client sees none of it."""

from datetime import date

from odoo.tests import HttpCase, tagged

from odoo.addons.msp_base.tests.common import PortalHttpMixin, make_portal_client

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestPortalContractPage(PortalHttpMixin, BillingCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_a, cls.contact_a, cls.user_a = make_portal_client(
            cls.env, "Contract Portal Alpha", "ctp_alpha"
        )
        cls.client_b, cls.contact_b, cls.user_b = make_portal_client(
            cls.env, "Contract Portal Bravo", "ctp_bravo"
        )
        cls.client_c, cls.contact_c, cls.user_c = make_portal_client(
            cls.env, "Contract Portal Charlie", "ctp_charlie"
        )
        cls.contract_a = cls.make_contract(cls.client_a)
        cls.contract_b = cls.make_contract(cls.client_b)
        cls.contract_a.message_subscribe(partner_ids=cls.contact_a.ids)
        cls.contract_b.message_subscribe(partner_ids=cls.contact_b.ids)
        Block = cls.env["msp.prepaid.block"]
        cls.block_a = Block.create(
            {"name": "Alpha 20 h block", "contract_id": cls.contract_a.id,
             "hours": 20, "date": date(2026, 1, 1), "expiry_date": date(2026, 12, 31)}
        )  # fmt: skip
        cls.block_b = Block.create(
            {"name": "Bravo 8 h block", "contract_id": cls.contract_b.id,
             "hours": 8, "date": date(2026, 1, 1), "expiry_date": date(2026, 12, 31)}
        )  # fmt: skip

    def bill_alpha(self):
        """Three endpoints counted; 16 h of work on two tickets in the first
        cycle: 10 included, 6 from the block."""
        for n in range(3):
            self.asset(f"ALPHA-PC-{n}", "workstation", client=self.client_a)
        self.snapshot(date(2026, 2, 14), self.client_a)
        printer = self.ticket(self.client_a, name="Alpha printer jam")
        vpn = self.ticket(self.client_a, name="Alpha VPN setup")
        self.entry(printer, date(2026, 1, 20), 12.0)
        self.entry(vpn, date(2026, 1, 22), 4.0)
        line = self.bill(date(2026, 2, 15), self.contract_a).line_ids
        self.assertEqual(line.block_hours, 6)
        return printer, vpn

    def test_empty_state(self):
        self.login_as(self.user_c)
        page = self.url_open("/my/contracts")
        self.assertEqual(page.status_code, 200)
        self.assertIn("No contract to show yet", page.text)
        page = self.url_open("/my/prepaid-hours")
        self.assertEqual(page.status_code, 200)
        self.assertIn("You have no prepaid hours", page.text)
        # no card on /my without blocks
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["msp_prepaid_hours"]}
        )
        self.assertEqual(counters["msp_prepaid_hours"], 0)

    def test_contract_page_services_and_blocks(self):
        printer, vpn = self.bill_alpha()
        self.login_as(self.user_a)
        listing = self.url_open("/my/contracts")
        self.assertIn("MSP Contract Portal Alpha", listing.text)
        self.assertNotIn("No contract to show yet", listing.text)
        self.assertNotIn("Bravo", listing.text)
        page = self.url_open(f"/my/contracts/{self.contract_a.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Services", page.text)
        # OCA's markers read as the next period, the overage as a rate
        self.assertNotIn("#START#", page.text)
        self.assertIn("Managed services 02/15/2026 - 03/14/2026", page.text)
        self.assertIn("per hour used", page.text)
        # the endpoint line shows the count that bills, not its placeholder
        self.assertRegex(page.text, r'o_msp_billed_qty">3<')
        self.assertIn("Alpha 20 h block", page.text)
        self.assertIn("+20 h", page.text)  # top-up
        self.assertIn("-6 h", page.text)  # the cycle's use
        self.assertIn("16 h", page.text)  # worked that cycle
        self.assertIn("Tickets worked that cycle", page.text)
        self.assertIn("Alpha printer jam", page.text)
        self.assertIn("12 h", page.text)
        self.assertIn(f"/my/ticket/{vpn.id}", page.text)
        self.assertIn(f"/my/ticket/{printer.id}", page.text)
        self.assertNotIn("Bravo 8 h block", page.text)

    def test_prepaid_hours_page_and_card(self):
        self.bill_alpha()
        self.login_as(self.user_a)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["msp_prepaid_hours"]}
        )
        self.assertEqual(counters["msp_prepaid_hours"], "14 h")
        home = self.url_open("/my")
        self.assertIn("/my/prepaid-hours", home.text)
        page = self.url_open("/my/prepaid-hours")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Left to use", page.text)
        self.assertIn("14 h", page.text)
        self.assertIn("Alpha 20 h block", page.text)
        self.assertIn("Alpha VPN setup", page.text)
        self.assertNotIn("Bravo 8 h block", page.text)

    def test_other_client_sees_nothing_of_alpha(self):
        self.bill_alpha()
        self.login_as(self.user_b)
        page = self.url_open(f"/my/contracts/{self.contract_a.id}")
        self.assertNotIn("Alpha 20 h block", page.text)
        self.assertNotIn("Alpha printer jam", page.text)
        page = self.url_open("/my/prepaid-hours")
        self.assertIn("Bravo 8 h block", page.text)
        self.assertNotIn("Alpha", page.text)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["msp_prepaid_hours"]}
        )
        self.assertEqual(counters["msp_prepaid_hours"], "8 h")
        self.assertRpcDenied("msp.prepaid.block", self.block_a.ids)
        self.assertRpcDenied("msp.prepaid.block.usage", self.block_a.usage_ids.ids)
        self.assertRpcDenied("contract.line", self.contract_a.contract_line_ids.ids)

    def test_malformed_urls_are_not_errors(self):
        self.login_as(self.user_a)
        for url in ("/my/contracts/abc", "/my/contracts/999999999",
                    "/my/prepaid-hours?page=x", "/my/contracts/page/x",
                    "/my/contracts?sortby=bogus"):  # fmt: skip
            response = self.url_open(url, allow_redirects=False)
            self.assertIn(response.status_code, (200, 303, 302, 404), url)
        self.assertEqual(self.url_open("/my/contracts?sortby=bogus").status_code, 200)
