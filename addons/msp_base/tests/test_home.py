# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Each MSP role lands on its working screen, in one MSP app."""

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import call_kw, role_user


def home_of(case, user):
    """The action the MSP home opens for ``user`` (what the MSP app and the
    login landing run)."""
    return case.env["res.users"].with_user(user)._msp_home_action()


@tagged("post_install", "-at_install")
class TestMspHome(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tech = role_user(cls.env, "home_tech", "group_msp_technician")
        cls.billing = role_user(cls.env, "home_billing", "group_msp_billing")
        cls.plain = new_test_user(cls.env, login="home_plain", groups="base.group_user")
        cls.home = cls.env.ref("msp_base.action_msp_home")
        cls.helpdesk_app = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_main_menu")

    def session_home(self, login):
        self.authenticate(login, login)
        return self.make_jsonrpc_request("/web/session/get_session_info")[
            "home_action_id"
        ]

    def test_msp_roles_land_on_msp_home(self):
        """Staff with an MSP role land on the MSP home (not Discuss); a user
        without one keeps Odoo's landing; a home the user chose wins."""
        self.assertEqual(self.session_home("home_tech"), self.home.id)
        self.assertEqual(self.session_home("home_billing"), self.home.id)
        self.assertFalse(self.session_home("home_plain"))
        chosen = self.env.ref("msp_base.action_msp_clients")
        self.tech.action_id = chosen.id
        self.assertEqual(self.session_home("home_tech"), chosen.id)

    def test_msp_app_opens_the_role_screen(self):
        """The MSP app (its root menu) runs the home action, which opens an
        action the role can use, over JSON-RPC as the web client does."""
        root = self.env.ref("msp_base.menu_msp_root")
        self.assertEqual(root.action, self.home)
        self.authenticate("home_billing", "home_billing")
        action = self.make_jsonrpc_request(
            "/web/action/run", {"action_id": self.home.id}
        )
        self.assertEqual(action["type"], "ir.actions.act_window")
        expected = self.env["res.users"].with_user(self.billing)._msp_home_action()
        self.assertEqual(action["id"], expected["id"])
        # and the billing user can read what it lists
        call_kw(self, action["res_model"], "search_count", [])
        # a plain internal user cannot run the MSP home at all
        self.authenticate("home_plain", "home_plain")
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.make_jsonrpc_request("/web/action/run", {"action_id": self.home.id})

    def test_precedence(self):
        """A user holding several roles gets the first in precedence
        (service manager, billing, dispatcher, technician)."""
        both = role_user(self.env, "home_both", "group_msp_technician")
        both.groups_id |= self.env.ref("msp_base.group_msp_billing")
        self.assertEqual(home_of(self, both)["id"], home_of(self, self.billing)["id"])

    def test_helpdesk_app_hidden_for_msp_roles(self):
        """MSP staff see one app: Helpdesk's own is hidden from them (not in
        developer mode); users without an MSP role still see it."""
        menus = self.env["ir.ui.menu"]
        self.assertNotIn(
            self.helpdesk_app.id, menus.with_user(self.tech)._visible_menu_ids()
        )
        self.assertIn(
            self.helpdesk_app.id,
            menus.with_user(self.tech)._visible_menu_ids(debug=True),
        )
        helpdesk_user = new_test_user(
            self.env,
            login="home_hd",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user",
        )
        self.assertIn(
            self.helpdesk_app.id, menus.with_user(helpdesk_user)._visible_menu_ids()
        )
        roots = menus.with_user(self.tech).load_menus(False)["root"]["children"]
        self.assertIn(self.env.ref("msp_base.menu_msp_root").id, roots)
        self.assertNotIn(self.helpdesk_app.id, roots)
