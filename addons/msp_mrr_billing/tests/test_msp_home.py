# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, tagged

from odoo.addons.msp_base.tests.common import role_user


@tagged("post_install", "-at_install")
class TestMspHomeBilling(TransactionCase):
    def test_role_lands_on_its_screen(self):
        """A billing coordinator's MSP home is the billing runs."""
        user = role_user(self.env, "home_Billing", "group_msp_billing")
        action = self.env["res.users"].with_user(user)._msp_home_action()
        self.assertEqual(
            action["id"],
            self.env.ref("msp_mrr_billing.menu_msp_billing_runs").action.id,
        )
