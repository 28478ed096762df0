# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""MSP staff have exactly the groups of their role: an app that adds its
groups to the default user template does not reach them, and the demo
staff are reset to their role by every msp addon's demo data."""

from odoo import Command
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import role_user

DEMO_STAFF = {
    "msp_base.user_grace": ["msp_base.group_msp_service_manager"],
    "msp_base.user_ben": ["msp_base.group_msp_billing"],
    "msp_base.user_dana": ["msp_base.group_msp_dispatcher"],
    "msp_base.user_luis": ["msp_base.group_msp_technician"],
    "msp_base.user_priya": ["msp_base.group_msp_technician"],
    "msp_base.user_tom": ["msp_base.group_msp_technician"],
    "msp_base.user_aisha": ["msp_base.group_msp_technician"],
    "msp_base.user_sam": ["msp_base.group_msp_technician"],
    "msp_base.user_mei": ["msp_base.group_msp_technician"],
}


def role_groups(env, xmlids):
    """base.group_user and the roles, with everything they imply."""
    groups = env.ref("base.group_user")
    for xmlid in xmlids:
        groups |= env.ref(xmlid)
    return groups | groups.mapped("trans_implied_ids")


@tagged("post_install", "-at_install")
class TestRoleGroups(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.env.ref("base.default_user")
        cls.app_admin = cls.env["res.groups"].create({"name": "Some App Admin"})
        cls.tech = role_user(cls.env, "rg_tech", "group_msp_technician")
        cls.billing = role_user(cls.env, "rg_bill", "group_msp_billing")
        cls.plain = new_test_user(cls.env, login="rg_plain", groups="base.group_user")

    def test_demo_staff_have_exactly_their_role(self):
        for xmlid, roles in DEMO_STAFF.items():
            user = self.env.ref(xmlid)
            wanted = role_groups(self.env, roles)
            extra = (user.groups_id - wanted).mapped("full_name")
            missing = (wanted - user.groups_id).mapped("full_name")
            self.assertEqual(
                user.groups_id,
                wanted,
                f"{user.login}: extra {extra}, missing {missing}",
            )

    def test_template_growth_skips_msp_staff(self):
        """Installing an app that puts its admin group on the default user
        template gives it to plain internal users (Odoo), not to staff."""
        self.template.groups_id = [Command.link(self.app_admin.id)]
        self.assertIn(self.app_admin, self.plain.groups_id)
        self.assertNotIn(self.app_admin, self.tech.groups_id)
        self.assertNotIn(self.app_admin, self.billing.groups_id)
        # the administrator keeps Odoo's behaviour
        self.assertIn(self.app_admin, self.env.ref("base.user_admin").groups_id)

    def test_reset_role_groups(self):
        self.tech.groups_id = [Command.link(self.app_admin.id)]
        dispatcher = role_user(self.env, "rg_disp", "group_msp_dispatcher")
        dispatcher.groups_id = [Command.link(self.app_admin.id)]
        (self.tech | dispatcher | self.plain)._msp_reset_role_groups()
        self.assertEqual(
            self.tech.groups_id,
            role_groups(self.env, ["msp_base.group_msp_technician"]),
        )
        self.assertEqual(
            dispatcher.groups_id,
            role_groups(self.env, ["msp_base.group_msp_dispatcher"]),
        )
        # not staff: left alone
        self.plain.groups_id = [Command.link(self.app_admin.id)]
        self.plain._msp_reset_role_groups()
        self.assertIn(self.app_admin, self.plain.groups_id)

    def test_demo_reset_is_for_the_system_only(self):
        from odoo.exceptions import AccessError  # noqa: PLC0415

        with self.assertRaises(AccessError):
            self.env["msp.demo"].with_user(self.tech).reset_demo_user_groups()
