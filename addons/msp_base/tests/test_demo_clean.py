# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The demo is the MSP's story only: Odoo's and OCA's own demo records are
archived or deleted (msp.demo.hide_stock_demo), two clients have portal
users, and nobody signs up from the login page."""

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval

MSP_CLIENTS = {
    "client_acme",
    "client_legal_a",
    "client_northwind",
    "client_bluebird",
    "client_cobalt",
    "client_riverside",
    "client_summit",
    "client_greenleaf",
    "client_harbor",
    "client_pinecrest",
    "client_meridian",
    "client_oakridge",
}


def stock_xmlids(env, records):
    """The external ids of ``records`` made by a module that is not msp_*."""
    data = env["ir.model.data"].search(
        [
            ("model", "=", records._name),
            ("res_id", "in", records.ids),
            ("module", "not like", "msp\\_%"),
        ]
    )
    return sorted(data.mapped("complete_name"))


@tagged("post_install", "-at_install")
class TestHideStockDemo(TransactionCase):
    """hide_stock_demo on records made here with a stock module's xmlid
    (works on a database with or without demo data)."""

    def _stock(self, record, name):
        self.env["ir.model.data"].create(
            {
                "module": "helpdesk_mgmt",
                "name": f"test_stock_{name}",
                "model": record._name,
                "res_id": record.id,
            }
        )
        return record

    def test_stock_records_archived_msp_and_users_kept(self):
        Partner = self.env["res.partner"]
        company = self._stock(
            Partner.create({"name": "Furniture Co", "is_company": True}), "company"
        )
        contact = self._stock(
            self.env["res.partner"].create(
                {"name": "Furniture Buyer", "parent_id": company.id}
            ),
            "contact",
        )
        team = self._stock(
            self.env["helpdesk.ticket.team"].create({"name": "Stock Team"}), "team"
        )
        ticket = self._stock(
            self.env["helpdesk.ticket"].create(
                {"name": "Damaged chair", "description": "x", "team_id": team.id}
            ),
            "ticket",
        )
        mine = self.env["res.partner"].create({"name": "No xmlid Co"})
        admin = self.env.ref("base.partner_admin")
        odoobot = self.env.ref("base.partner_root")
        company_partner = self.env.company.partner_id
        self.env["msp.demo"].hide_stock_demo()
        self.assertFalse(company.active or contact.active)
        self.assertFalse(team.active or ticket.active)
        self.assertTrue(mine.active)
        self.assertTrue(admin.active and company_partner.active)
        # OdooBot is an archived user: its partner is left as it was
        self.assertEqual(odoobot.active, odoobot.with_context(active_test=False).active)
        # idempotent
        self.env["msp.demo"].hide_stock_demo()
        self.assertFalse(company.active)

    def test_left_to_the_end_of_the_install_while_a_stock_module_loads(self):
        team = self._stock(
            self.env["helpdesk.ticket.team"].create({"name": "Stock Team"}), "team"
        )
        pending = self.env["ir.module.module"].search(
            [("state", "=", "uninstalled"), ("name", "not like", "msp\\_%")], limit=1
        )
        pending.state = "to install"
        self.assertFalse(self.env["msp.demo"].hide_stock_demo())
        self.assertTrue(team.active, "hidden while a stock module is to load")
        params = self.env["ir.config_parameter"]
        self.assertTrue(params.get_param("msp_base.hide_stock_demo_pending"))
        # the install ends: the registry's hook does it
        pending.state = "uninstalled"
        self.env["msp.demo"]._register_hook()
        self.assertFalse(team.active)
        self.assertFalse(params.get_param("msp_base.hide_stock_demo_pending"))

    def test_for_the_system_only(self):
        with self.assertRaises(AccessError):
            self.env["msp.demo"].with_user(
                self.env.ref("base.user_demo", raise_if_not_found=False)
                or self.env.ref("base.public_user")
            ).hide_stock_demo()


@tagged("post_install", "-at_install")
class TestCleanDemo(TransactionCase):
    """What the MSP screens show on the demo database."""

    def setUp(self):
        super().setUp()
        if not self.env.ref("msp_base.team_service_desk", raise_if_not_found=False):
            self.skipTest("database installed without demo data")

    def test_clients_are_the_twelve_msp_clients(self):
        action = self.env.ref("msp_base.action_msp_clients")
        clients = self.env["res.partner"].search(safe_eval(action.domain))
        self.assertEqual(
            set(clients.mapped(lambda c: c.get_external_id()[c.id])),
            {f"msp_base.{name}" for name in MSP_CLIENTS},
        )

    def test_no_stock_demo_record_active(self):
        for model in (
            "helpdesk.ticket",
            "helpdesk.ticket.team",
            "helpdesk.ticket.category",
            "project.project",
            "project.task",
            "hr.employee",
            "product.template",
        ):
            if model not in self.env:
                continue
            active = self.env[model].search([])
            stock = stock_xmlids(self.env, active)
            if model == "hr.employee":  # users' employees stay (admin, demo)
                stock = stock_xmlids(self.env, active.filtered(lambda e: not e.user_id))
            self.assertEqual(stock, [], f"stock demo {model} still active")
        self.assertFalse(
            self.env["account.move"].search(
                [("partner_id.active", "=", False)], limit=1
            ),
            "invoices of archived stock partners left",
        )

    def test_teams_and_tickets_are_the_msp_story(self):
        teams = self.env["helpdesk.ticket.team"].search([])
        self.assertTrue(
            all(
                t.get_external_id()[t.id].split(".")[0].startswith("msp_")
                for t in teams
            ),
            teams.mapped("name"),
        )
        self.assertLessEqual(
            {"Service Desk", "Network", "Projects"}, set(teams.mapped("name"))
        )
        tickets = self.env["helpdesk.ticket"].search([])
        clients = tickets.partner_id.commercial_partner_id
        self.assertTrue(
            all(c.msp_email_domain for c in clients),
            clients.filtered(lambda c: not c.msp_email_domain).mapped("name"),
        )
        self.assertEqual(tickets.team_id, teams & tickets.team_id)

    def test_the_company_is_the_demo_msp(self):
        self.assertEqual(self.env.ref("base.main_company").name, "Lakeshore Managed IT")
        self.assertEqual(self.env.ref("base.main_company").city, "Cleveland")
        self.assertTrue(self.env.ref("base.main_company").logo)

    def test_portal_users_of_two_clients(self):
        for login, client in (("acme", "client_acme"), ("oakridge", "client_oakridge")):
            user = self.env["res.users"].search([("login", "=", login)])
            self.assertTrue(user.share and user.has_group("base.group_portal"), login)
            self.assertEqual(
                user.partner_id.commercial_partner_id,
                self.env.ref(f"msp_base.{client}"),
            )
            tickets = self.env["helpdesk.ticket"].with_user(user).search([])
            self.assertTrue(tickets, f"{login} sees no ticket")
            self.assertEqual(
                tickets.partner_id.commercial_partner_id,
                self.env.ref(f"msp_base.{client}"),
            )


@tagged("post_install", "-at_install")
class TestDemoPortalLogin(HttpCase):
    def test_portal_user_logs_in_and_lists_tickets(self):
        if not self.env["res.users"].search([("login", "=", "acme")]):
            self.skipTest("database installed without demo data")
        self.authenticate("acme", "acme")
        response = self.url_open("/my/tickets")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Acme", response.text)


@tagged("post_install", "-at_install")
class TestSignupClosed(HttpCase):
    """Clients are invited; the login page offers no sign-up."""

    def test_invitation_scope_is_b2b(self):
        self.assertEqual(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("auth_signup.invitation_scope"),
            "b2b",
        )

    def test_no_signup_form(self):
        response = self.url_open("/web/signup", allow_redirects=False)
        self.assertIn(response.status_code, (303, 404))
        self.assertNotIn('name="confirm_password"', response.text)

    def test_login_page_has_no_signup_link(self):
        response = self.url_open("/web/login")
        self.assertEqual(response.status_code, 200)
        self.assertIn('name="password"', response.text)
        self.assertNotIn("/web/signup", response.text)
        self.assertNotIn("have an account", response.text)
        # resetting a password stays possible
        self.assertIn("/web/reset_password", response.text)
