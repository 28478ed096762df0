# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the screens show each role, found by walking them in a browser:
the project's chatter opens for billing, money shows with its currency and
never to technicians, the gate tab's states, and the defaults of the
decision, conversion and follow-up dialogs and of the team threshold."""

from lxml import etree
from odoo import Command
from odoo.tests import Form, TransactionCase, tagged

from odoo.addons.mail.tools.discuss import Store

from .common_change_order import make_change_order, make_change_order_world
from .common_convert import TicketProjectCase

# what the web client's chatter asks for when it opens a record
CHATTER_REQUEST = [
    "activities",
    "attachments",
    "followers",
    "scheduledMessages",
    "suggestedRecipients",
]


def form_arch(records):
    view = records.env.ref("project.edit_project")
    return etree.fromstring(records.get_view(view.id)["arch"])


@tagged("post_install", "-at_install")
class TestProjectScreens(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_change_order_world(cls, "SCR")

    def test_each_role_opens_the_project_chatter(self):
        """Billing opened a project and got an AccessError on
        project.collaborator (the chatter's followers)."""
        for user in (self.billing, self.pm, self.tech):
            with self.subTest(user=user.login):
                project = self.project.with_user(user)
                result = Store(
                    project, as_thread=True, request_list=CHATTER_REQUEST
                ).get_result()
                self.assertTrue(result)

    def test_money_has_its_currency_and_stays_hidden_from_technicians(self):
        for user in (self.pm, self.billing):
            with self.subTest(user=user.login):
                arch = form_arch(self.project.with_user(user))
                self.assertTrue(arch.xpath("//field[@name='msp_margin']"))
                self.assertTrue(arch.xpath("//field[@name='msp_hourly_rate']"))
                # without it, amounts show as bare numbers (165.00)
                self.assertTrue(arch.xpath("//field[@name='currency_id']"))
        arch = form_arch(self.project.with_user(self.tech))
        for name in (
            "msp_hourly_rate",
            "msp_margin",
            "msp_revenue",
            "msp_cost",
            "msp_fixed_price",
            "msp_planned_margin",
        ):
            self.assertFalse(arch.xpath(f"//field[@name='{name}']"), name)
        self.assertTrue(arch.xpath("//field[@name='msp_burn_state']"))

    def test_gate_tab_states(self):
        """ "Can go In Flight" only while Proposed; the override's reason on
        its own line (it broke the alert's layout inline)."""
        arch = form_arch(self.project.with_user(self.pm))
        (ready,) = arch.xpath("//div[hasclass('o_msp_gate_ready')]")
        self.assertIn("msp_state != 'proposed'", ready.get("invisible"))
        (passed,) = arch.xpath("//div[hasclass('o_msp_gate_passed')]")
        self.assertIn("msp_state == 'proposed'", passed.get("invisible"))
        (reason,) = arch.xpath(
            "//div[hasclass('o_msp_gate_overridden')]"
            "/field[@name='msp_gate_override_reason']"
        )
        self.assertNotIn("oe_inline", reason.get("class", ""))

    # ------------------------------------------------------------ decision

    def _decision_default(self, order):
        action = order.with_context(msp_decision="reject").action_record_decision()
        Wizard = (
            self.env[action["res_model"]]
            .with_user(self.pm)
            .with_context(**action["context"])
        )
        wizard = Form(Wizard)  # not saved: the contact may be empty
        self.assertEqual(wizard.decision, "reject")
        return wizard.contact_id

    def test_decision_defaults_to_the_approver(self):
        order = make_change_order(
            self.env, self.project, self.pm, milestone_id=self.build.id
        )
        order.action_send()
        self.assertEqual(order.contact_ids, self.contact)
        self.assertEqual(self._decision_default(order), self.contact)

    def test_decision_with_several_approvers_defaults_to_the_requester(self):
        other = self.env["res.partner"].create(
            {"name": "Second Approver", "parent_id": self.client.id, "email": "x@y.z"}
        )
        order = make_change_order(
            self.env,
            self.project,
            self.pm,
            milestone_id=self.build.id,
            contact_ids=[Command.set((self.contact | other).ids)],
            requested_by_id=other.id,
        )
        order.action_send()
        self.assertEqual(self._decision_default(order), other)
        order2 = make_change_order(
            self.env,
            self.project,
            self.pm,
            milestone_id=self.build.id,
            contact_ids=[Command.set((self.contact | other).ids)],
        )
        order2.action_send()
        self.assertFalse(self._decision_default(order2), "no guess among several")


@tagged("post_install", "-at_install")
class TestTicketScreens(TicketProjectCase):
    def test_convert_proposes_a_project_manager_only_if_you_are_one(self):
        ticket = self._ticket()
        as_dispatcher = self._wizard(ticket, self.dispatcher)
        self.assertFalse(as_dispatcher.project_manager_id)
        as_pm = self._wizard(ticket, self.pm)
        self.assertEqual(as_pm.project_manager_id, self.pm)
        # a dispatcher's conversion still works without one
        as_dispatcher.write({"mode": "blank", "time_action": "keep"})
        as_dispatcher.action_convert()
        self.assertEqual(as_dispatcher.result_project_id.msp_state, "proposed")

    def _client_project(self, name, client, state="proposed"):
        return self.env["project.project"].create(
            {"name": name, "partner_id": client.id, "msp_state": state}
        )

    def test_follow_up_offers_the_clients_projects(self):
        """As the web client opens it (onchange): only the ticket's client's
        projects, not cancelled ones; the only one is preselected."""
        other = self.env["res.partner"].create({"name": "Other", "is_company": True})
        mine = self._client_project("Mine", self.client, "in_flight")
        self._client_project("Dropped", self.client, "cancelled")
        theirs = self._client_project("Theirs", other)
        ticket = self._ticket("The server needs replacing")
        action = ticket.with_user(self.dispatcher).action_msp_link_to_project()
        Wizard = (
            self.env[action["res_model"]]
            .with_user(self.dispatcher)
            .with_context(**action["context"])
        )
        with Form(Wizard) as wizard:
            self.assertEqual(wizard.client_id, self.client)
            self.assertEqual(wizard.project_id, mine)
            self.assertNotIn(theirs, wizard.allowed_project_ids)
        allowed = wizard.record.allowed_project_ids
        self.assertEqual(allowed, mine)
        self.assertNotIn(theirs, allowed)
        self._client_project("Mine too", self.client)
        with Form(Wizard) as wizard:
            self.assertFalse(wizard.project_id, "two projects: the dispatcher picks")
            wizard.project_id = mine
        link = wizard.save()
        link.action_link()
        self.assertEqual(ticket.project_id, mine)
        self.assertEqual(ticket.msp_project_link, "follow_up")

    def test_team_threshold_shows_the_company_one_it_falls_back_to(self):
        self.assertEqual(self.team.msp_project_threshold_hours, 0.0)
        self.assertEqual(self.team.msp_company_project_threshold_hours, 8.0)
        self.company.msp_project_threshold_hours = 12.0
        self.assertEqual(self.team.msp_company_project_threshold_hours, 12.0)
        arch = self.env["helpdesk.ticket.team"].get_view(
            self.env.ref("helpdesk_mgmt.view_helpdesk_team_form").id
        )["arch"]
        self.assertIn("msp_company_project_threshold_hours", arch)
