# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.msp_base.tests.common import assert_menus_for_role


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_menus_reach_their_role(self):
        """The addon's menus open for its role and stay hidden from others."""
        role = new_test_user(
            self.env,
            login="msp_ticket_project_role",
            groups="base.group_user,msp_base.group_msp_technician,project.group_project_user",
        )
        assert_menus_for_role(
            self,
            [
                "msp_ticket_project.menu_msp_client_projects",
                "msp_ticket_project.menu_msp_change_orders",
            ],
            role,
        )
