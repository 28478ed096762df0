# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestBillingAccess(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = new_test_user(
            cls.env,
            login="tb_bill",
            groups="base.group_user,msp_base.group_msp_billing",
        )
        cls.tech = new_test_user(
            cls.env,
            login="tb_tech",
            groups="base.group_user,msp_base.group_msp_technician",
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "Billed Client", "is_company": True}
        )

    def test_billing_manages_contracts(self):
        contract = (
            self.env["contract.contract"]
            .with_user(self.billing)
            .create(
                {
                    "name": "Managed Services - Billed Client",
                    "partner_id": self.client.id,
                }
            )
        )
        contract.name = "Managed Services Gold - Billed Client"
        self.assertEqual(contract.partner_id, self.client)

    def test_technicians_cannot_see_contracts(self):
        with self.assertRaises(AccessError):
            self.env["contract.contract"].with_user(self.tech).search([])

    def test_billing_menu_only_for_billing(self):
        menu = self.env.ref("msp_mrr_billing.menu_msp_billing_contracts")
        menus = self.env["ir.ui.menu"]
        self.assertIn(menu.id, menus.with_user(self.billing)._visible_menu_ids())
        self.assertNotIn(menu.id, menus.with_user(self.tech)._visible_menu_ids())

    def test_technicians_cannot_run_billing_or_read_rates(self):
        with self.assertRaises(AccessError):
            self.env["msp.billing.run"].with_user(self.tech).create({})
        with self.assertRaises(AccessError):
            self.env["msp.billing.run"].with_user(self.tech).search([])
        with self.assertRaises(AccessError):
            self.env["contract.line"].with_user(self.tech).search_read(
                [], ["price_unit"]
            )
        with self.assertRaises(AccessError):
            self.env["msp.prepaid.block"].with_user(self.tech).search([])
        run = self.env["msp.billing.run"].with_user(self.billing).create({})
        self.assertEqual(run.state, "draft")
