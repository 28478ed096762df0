# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, tagged

from odoo.addons.msp_base.tests.common import role_user


@tagged("post_install", "-at_install")
class TestMspHomeDispatcher(TransactionCase):
    def test_role_lands_on_its_screen(self):
        """A dispatcher's MSP home is triage (open tickets nobody owns)."""
        user = role_user(self.env, "home_Dispatcher", "group_msp_dispatcher")
        action = self.env["res.users"].with_user(user)._msp_home_action()
        self.assertEqual(
            action["id"],
            self.env.ref("msp_routing.menu_msp_dispatch_unassigned").action.id,
        )
