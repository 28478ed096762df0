# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.msp_base.tests.common import menu_reachable


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_menus_reach_their_role(self):
        """The addon's menus open for its role and stay hidden from others."""
        role = new_test_user(
            self.env,
            login="msp_routing_role",
            groups="base.group_user,msp_base.group_msp_service_manager",
        )
        plain = new_test_user(
            self.env, login="msp_routing_plain", groups="base.group_user"
        )
        menus = [
            "msp_routing.menu_msp_dispatch_unassigned",
            "msp_routing.menu_msp_config_channels",
        ]
        for xmlid in menus:
            menu = self.env.ref(xmlid)
            self.assertTrue(menu.action, f"{xmlid} has no action")
            self.assertTrue(menu_reachable(menu, role), f"{xmlid} hidden from its role")
            self.assertFalse(
                menu_reachable(menu, plain), f"{xmlid} shown to a plain user"
            )
