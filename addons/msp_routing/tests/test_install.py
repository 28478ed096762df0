# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, tagged

from odoo.addons.msp_base.tests.common import assert_menus_for_role, role_user


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_menus_reach_their_role(self):
        """The addon's menus open for its role and stay hidden from others."""
        role = role_user(self.env, "msp_routing_role", "group_msp_service_manager")
        assert_menus_for_role(
            self,
            [
                "msp_routing.menu_msp_dispatch_unassigned",
                "msp_routing.menu_msp_config_channels",
                "msp_routing.menu_msp_routing_rules",
                "msp_routing.menu_msp_intake_sources",
            ],
            role,
        )
