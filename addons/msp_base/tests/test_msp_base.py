# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import role_user


@tagged("post_install", "-at_install")
class TestMspGroups(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, group):
            return role_user(cls.env, login, group)

        cls.technician = user("t_tech", "group_msp_technician")
        cls.dispatcher = user("t_disp", "group_msp_dispatcher")
        cls.manager = user("t_mgr", "group_msp_service_manager")
        cls.billing = user("t_bill", "group_msp_billing")

    def assertGroups(self, user, expected, unexpected=()):
        for xmlid in expected:
            self.assertTrue(user.has_group(xmlid), f"{user.login} lacks {xmlid}")
        for xmlid in unexpected:
            self.assertFalse(user.has_group(xmlid), f"{user.login} has {xmlid}")

    def test_technician_sees_own_teams_only(self):
        self.assertGroups(
            self.technician,
            ["helpdesk_mgmt.group_helpdesk_user_team"],
            [
                "helpdesk_mgmt.group_helpdesk_user",
                "msp_base.group_msp_dispatcher",
                "msp_base.group_msp_billing",
                "account.group_account_invoice",
            ],
        )

    def test_role_chain(self):
        self.assertGroups(
            self.dispatcher,
            ["msp_base.group_msp_technician", "helpdesk_mgmt.group_helpdesk_user"],
            ["helpdesk_mgmt.group_helpdesk_manager"],
        )
        self.assertGroups(
            self.manager,
            [
                "msp_base.group_msp_dispatcher",
                "msp_base.group_msp_technician",
                "helpdesk_mgmt.group_helpdesk_manager",
            ],
            ["msp_base.group_msp_billing"],
        )

    def test_billing_can_invoice_and_read_tickets(self):
        self.assertGroups(
            self.billing,
            ["account.group_account_invoice", "helpdesk_mgmt.group_helpdesk_user"],
            ["msp_base.group_msp_technician"],
        )

    def test_accounting_managers_get_billing(self):
        accountant = new_test_user(
            self.env,
            login="t_acc",
            groups="base.group_user,account.group_account_manager",
        )
        self.assertTrue(accountant.has_group("msp_base.group_msp_billing"))

    def _visible_menu_xmlids(self, user):
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(debug=False)
        return {m.get("xmlid") for m in menus.values() if isinstance(m, dict)}

    def test_menu_visibility_by_role(self):
        tech_menus = self._visible_menu_xmlids(self.technician)
        self.assertIn("msp_base.menu_msp_root", tech_menus)
        self.assertIn("msp_base.menu_msp_service_desk", tech_menus)
        self.assertNotIn("msp_base.menu_msp_configuration", tech_menus)
        manager_menus = self._visible_menu_xmlids(self.manager)
        self.assertIn("msp_base.menu_msp_config_teams", manager_menus)
        internal = new_test_user(self.env, login="t_plain", groups="base.group_user")
        self.assertNotIn("msp_base.menu_msp_root", self._visible_menu_xmlids(internal))


@tagged("post_install", "-at_install")
class TestClientDomain(TransactionCase):
    def test_domain_is_normalised(self):
        client = self.env["res.partner"].create(
            {
                "name": "Domain Co",
                "is_company": True,
                "msp_email_domain": " IT@Domain-Co.COM ",
            }
        )
        self.assertEqual(client.msp_email_domain, "domain-co.com")
        client.msp_email_domain = "@Other.org"
        self.assertEqual(client.msp_email_domain, "other.org")

    def test_bad_domain_is_refused(self):
        with self.assertRaises(ValidationError):
            self.env["res.partner"].create(
                {
                    "name": "Bad Co",
                    "is_company": True,
                    "msp_email_domain": "not a domain",
                }
            )


@tagged("post_install", "-at_install")
class TestDemoStory(TransactionCase):
    """The demo database tells the story the README promises."""

    def setUp(self):
        super().setUp()
        if not self.env.ref("msp_base.team_service_desk", raise_if_not_found=False):
            self.skipTest("database installed without demo data")

    def test_teams_staff_clients(self):
        teams = self.env["helpdesk.ticket.team"].search(
            [("name", "in", ["Service Desk", "Network", "Projects"])]
        )
        self.assertEqual(len(teams), 3)
        technicians = self.env.ref("msp_base.group_msp_technician").users.filtered(
            lambda u: u.login in ("dana", "luis", "priya", "tom", "aisha", "sam", "mei")
        )
        self.assertGreaterEqual(len(technicians), 6)
        clients = self.env["res.partner"].search(
            [("is_company", "=", True), ("msp_email_domain", "!=", False)]
        )
        self.assertGreaterEqual(len(clients), 12)
        for client in clients:
            self.assertTrue(client.child_ids, f"{client.name} has no contacts")
            self.assertTrue(
                all(
                    c.email.endswith("@" + client.msp_email_domain)
                    for c in client.child_ids
                )
            )

    def test_tickets_span_ninety_days(self):
        tickets = self.env["helpdesk.ticket"].search(
            [("partner_id.commercial_partner_id.msp_email_domain", "!=", False)]
        )
        self.assertGreaterEqual(len(tickets), 150)
        now = fields.Datetime.now()
        oldest = min(tickets.mapped("create_date"))
        self.assertGreater(now - oldest, timedelta(days=75))
        self.assertLessEqual(now - oldest, timedelta(days=91))
        closed = tickets.filtered("stage_id.closed")
        self.assertTrue(closed and all(t.closed_date >= t.create_date for t in closed))
        self.assertTrue(tickets - closed, "some demo tickets are still open")
        self.assertEqual(set(tickets.mapped("priority")), {"0", "1", "2", "3"})

    def test_generator_is_for_the_system_only(self):
        with self.assertRaises(AccessError):
            self.env["msp.demo"].with_user(
                self.env.ref("base.user_demo")
            ).generate_tickets(1, 1)
