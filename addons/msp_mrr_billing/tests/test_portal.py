# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Prepaid blocks on the portal: the client sees their own contract's blocks
on the contract page (rendered by the server), and no block or usage over
JSON-RPC; another client sees neither the page nor the blocks."""

from datetime import date

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.msp_base.tests.common import PortalHttpMixin, make_portal_client


@tagged("post_install", "-at_install")
class TestPrepaidPortal(PortalHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env["product.product"].create(
            {"name": "Retainer", "type": "service"}
        )
        cls.client_a, cls.contact_a, cls.user_a = make_portal_client(
            cls.env, "Block Portal Alpha", "bkp_alpha"
        )
        cls.client_b, cls.contact_b, cls.user_b = make_portal_client(
            cls.env, "Block Portal Bravo", "bkp_bravo"
        )
        cls.contract_a = cls._contract(cls.client_a)
        cls.contract_b = cls._contract(cls.client_b)
        cls.contract_a.message_subscribe(partner_ids=cls.contact_a.ids)
        cls.contract_b.message_subscribe(partner_ids=cls.contact_b.ids)
        Block = cls.env["msp.prepaid.block"]
        cls.block_a = Block.create(
            {"name": "Alpha 10 h block", "contract_id": cls.contract_a.id,
             "hours": 10, "date": date(2026, 1, 1), "expiry_date": date(2027, 1, 1)}
        )  # fmt: skip
        cls.block_b = Block.create(
            {"name": "Bravo 20 h block", "contract_id": cls.contract_b.id,
             "hours": 20, "date": date(2026, 1, 1), "expiry_date": date(2027, 1, 1)}
        )  # fmt: skip
        cls.usage_b = cls.env["msp.prepaid.block.usage"].create(
            {"block_id": cls.block_b.id, "date": date(2026, 2, 1), "hours": 3}
        )

    @classmethod
    def _contract(cls, client):
        return cls.env["contract.contract"].create(
            {
                "name": f"MSP {client.name}",
                "partner_id": client.id,
                "date_start": date(2026, 1, 1),
                "recurring_rule_type": "monthly",
                "line_recurrence": False,
                "contract_line_fixed_ids": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "name": "Retainer",
                            "quantity": 1,
                            "price_unit": 900.0,
                        }
                    )
                ],
            }
        )

    def test_own_contract_page_shows_blocks(self):
        self.login_as(self.user_a)
        page = self.url_open(f"/my/contracts/{self.contract_a.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Alpha 10 h block", page.text)
        self.assertNotIn("Bravo 20 h block", page.text)

    def test_blocks_and_usage_not_readable_over_rpc(self):
        self.login_as(self.user_a)
        self.assertRpcDenied("msp.prepaid.block", self.block_b.ids)
        self.assertRpcDenied("msp.prepaid.block.usage", self.usage_b.ids)
        # the page shows their own; the records stay MSP data
        self.assertRpcDenied("msp.prepaid.block", self.block_a.ids)

    def test_other_clients_contract_page_and_lines_hidden(self):
        self.login_as(self.user_a)
        page = self.url_open(f"/my/contracts/{self.contract_b.id}")
        self.assertNotIn("Bravo 20 h block", page.text)
        self.assertNotIn("MSP Block Portal Bravo", page.text)
        self.assertRpcDenied("contract.contract", self.contract_b.ids)
        self.assertRpcDenied("contract.line", self.contract_b.contract_line_ids.ids)
        result, error = self.rpc(
            "contract.contract", "read", self.contract_a.ids, ["msp_block_ids"]
        )
        # the blocks field of their own contract is MSP data too
        self.assertEqual(error, "odoo.exceptions.AccessError", result)
