# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, tagged

from odoo.addons.msp_base.tests.common import role_user


@tagged("post_install", "-at_install")
class TestMspHomeManager(TransactionCase):
    def test_role_lands_on_its_screen(self):
        """A service manager's MSP home is the SLA overview."""
        user = role_user(self.env, "home_Manager", "group_msp_service_manager")
        action = self.env["res.users"].with_user(user)._msp_home_action()
        self.assertEqual(
            action["id"], self.env.ref("msp_sla.menu_msp_sla_report").action.id
        )
