# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The demo's two projects tell the project story: Acme's tenant migration
(converted from a ticket, gated, in flight, a change order awaiting the
client) and Oakridge's network refresh (invoiced, in hypercare)."""

from lxml import etree
from odoo.tests import TransactionCase, tagged

SUB_VIEWS = ("list", "kanban", "form")


def form_spec(node):
    """The web_read specification of a view: its fields, and the fields of
    the sub-views of its x2many fields."""
    spec = {}
    for field in node.iter("field"):
        owner = field.getparent()
        while owner is not None and owner is not node and owner.tag != "field":
            owner = owner.getparent()
        if owner is not node:
            continue  # a field of a sub-view
        subs = [child for child in field if child.tag in SUB_VIEWS]
        spec[field.get("name")] = {"fields": form_spec(subs[0])} if subs else {}
    return spec


@tagged("post_install", "-at_install")
class TestDemoProjects(TransactionCase):
    def setUp(self):
        super().setUp()
        if not self.env.ref("msp_base.client_acme", raise_if_not_found=False):
            self.skipTest("database installed without demo data")
        self.acme = self.env.ref("msp_ticket_project.demo_project_acme_m365")
        self.oakridge = self.env.ref("msp_ticket_project.demo_project_oakridge_network")

    def test_acme_converted_from_a_ticket_in_flight(self):
        ticket = self.env.ref("msp_ticket_project.demo_ticket_acme_m365")
        project = self.acme
        self.assertEqual(project.msp_origin_ticket_id, ticket)
        self.assertEqual(ticket.project_id, project)
        self.assertEqual(ticket.msp_project_link, "origin")
        self.assertTrue(ticket.stage_id.closed)
        self.assertEqual(project.partner_id, self.env.ref("msp_base.client_acme"))
        self.assertEqual(project.user_id, self.env.ref("msp_ticket_project.user_nora"))
        self.assertEqual(project.msp_state, "in_flight")
        self.assertTrue(project.msp_gate_complete)
        self.assertFalse(project.msp_gate_override_reason)
        self.assertEqual(
            project.milestone_ids.sorted("msp_sequence").mapped("name"),
            ["Discovery", "Design", "Build", "Test", "Cutover", "Hypercare"],
        )
        self.assertGreater(project.msp_actual_hours, 0)
        order = self.env.ref("msp_ticket_project.demo_change_order_acme_teams_phone")
        self.assertEqual(order.project_id, project)
        self.assertEqual(order.state, "sent")
        # Acme's portal user is the approver the client logs in as
        self.assertIn(
            self.env.ref("msp_base.portal_user_acme").partner_id, order.contact_ids
        )
        # Joe followed his ticket: he reads the project on the portal
        acme_user = self.env.ref("msp_base.portal_user_acme")
        self.assertIn(
            project, self.env["project.project"].with_user(acme_user).search([])
        )
        oakridge_user = self.env.ref("msp_base.portal_user_oakridge")
        self.assertNotIn(
            project, self.env["project.project"].with_user(oakridge_user).search([])
        )
        flagged = self.env["account.analytic.line"].search(
            [
                ("project_id", "=", project.id),
                ("msp_change_order_unapproved", "=", True),
            ]
        )
        self.assertTrue(flagged)

    def test_oakridge_invoiced_and_in_hypercare(self):
        project = self.oakridge
        self.assertEqual(project.msp_state, "hypercare")
        self.assertEqual(project.msp_billing_type, "fixed")
        self.assertTrue(project.msp_gate_override_reason)
        lines = self.env["account.move.line"].search(
            [("msp_project_id", "=", project.id)]
        )
        self.assertEqual(lines.move_id.mapped("state"), ["posted"])
        self.assertAlmostEqual(sum(lines.mapped("price_subtotal")), 14500.0)
        ticket = self.env.ref("msp_ticket_project.demo_ticket_oakridge_wifi")
        self.assertEqual(ticket.msp_project_link, "hypercare")
        hypercare = project.milestone_ids.filtered("msp_is_hypercare")
        self.assertEqual(ticket.milestone_id, hypercare)
        self.assertGreater(hypercare.msp_actual_hours, 0)
        self.assertGreater(project.msp_revenue, 0)

    def test_nora_is_the_project_manager_and_lands_on_projects(self):
        nora = self.env.ref("msp_ticket_project.user_nora")
        role = self.env.ref("msp_ticket_project.group_msp_project_manager")
        self.assertEqual(nora._msp_roles(), role)
        self.assertFalse(nora.has_group("msp_base.group_msp_dispatcher"))
        menu = self.env.ref("msp_ticket_project.menu_msp_client_projects")
        self.assertEqual(nora._msp_home_action_record(), menu.action.sudo())
        # she follows her projects' tickets, whichever team holds them
        tickets = (
            self.env["helpdesk.ticket"]
            .with_user(nora)
            .search([("project_id", "in", (self.acme | self.oakridge).ids)])
        )
        self.assertIn(
            self.env.ref("msp_ticket_project.demo_ticket_oakridge_wifi"), tickets
        )
        self.assertIn(self.env.ref("msp_ticket_project.demo_ticket_acme_m365"), tickets)
        self.assertEqual(self.oakridge.with_user(nora).todo_ticket_count, 1)
        # a technician on the project team is a resource, not its manager
        sam = self.env.ref("msp_base.user_sam")
        self.assertFalse(sam.has_group("project.group_project_manager"))

    def test_each_role_opens_the_project_form(self):
        """What the web client reads to show a project (its form view's
        fields, the gate's and phases' lists included) as each role."""
        for login in ("ben", "nora", "grace", "dana", "luis"):
            user = self.env["res.users"].search([("login", "=", login)])
            Project = self.env["project.project"].with_user(user)
            arch = Project.get_views([(False, "form")])["views"]["form"]["arch"]
            spec = form_spec(etree.fromstring(arch))
            self.assertIn("msp_assumption_ids", spec)
            for project in (self.acme, self.oakridge):
                (values,) = project.with_user(user).web_read(spec)
                self.assertEqual(values["id"], project.id, login)
