# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Dispatch by hand: one audited ownership action (Claim), a manual
Escalate with a reason, the Unassigned queue (no owner, open), the routing
log for dispatchers, rule priorities ticked as P1..P4."""

from lxml import etree
from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools.safe_eval import safe_eval

from odoo.addons.msp_base.tests.common import call_kw, menu_reachable, role_user


class DispatchCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tech = new_test_user(
            cls.env,
            login="dp_tech",
            password="dp_tech_pw",
            groups="base.group_user,msp_base.group_msp_technician",
        )
        cls.dispatcher = new_test_user(
            cls.env,
            login="dp_disp",
            password="dp_disp_pw",
            groups="base.group_user,msp_base.group_msp_dispatcher",
        )
        cls.oncall = role_user(cls.env, "dp_oncall", "group_msp_technician")
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {"name": "DP desk", "user_ids": [Command.link(cls.tech.id)]}
        )
        cls.tier2 = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "DP tier 2",
                "user_ids": [Command.link(cls.oncall.id), Command.link(cls.tech.id)],
            }
        )
        cls.rotation = cls.env["msp.oncall.rotation"].create(
            {
                "name": "DP tier 2 on call",
                "team_id": cls.tier2.id,
                "member_ids": [Command.create({"user_id": cls.oncall.id})],
            }
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "DP Client", "is_company": True}
        )

    def ticket(self, **values):
        return (
            self.env["helpdesk.ticket"]
            .with_context(msp_routing_skip=True)
            .create(
                {
                    "name": "DP printer jam",
                    "description": "jam",
                    "partner_id": self.client.id,
                    "team_id": self.team.id,
                    "priority": "1",
                    **values,
                }
            )
        )

    def escalate(self, ticket, user, **values):
        wizard = (
            self.env["msp.ticket.escalate"]
            .with_user(user)
            .create({"ticket_id": ticket.id, "reason": "CEO cannot print", **values})
        )
        return wizard.action_escalate()


@tagged("post_install", "-at_install")
class TestDispatch(DispatchCase):
    def test_assign_to_me_is_the_audited_claim(self):
        ticket = self.ticket(user_id=False)
        ticket.with_user(self.tech).assign_to_me()
        self.assertEqual(ticket.user_id, self.tech)
        self.assertEqual(ticket.msp_claimed_by_id, self.tech)
        log = ticket.msp_routing_log_ids.filtered(lambda x: x.event == "claim")
        self.assertEqual(log.user_id, self.tech)

    def test_form_offers_one_ownership_action_and_escalate(self):
        arch = etree.fromstring(
            self.env["helpdesk.ticket"]
            .with_user(self.tech)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        (assign,) = arch.xpath("//button[@name='assign_to_me']")
        self.assertEqual(assign.get("invisible"), "1")
        (claim,) = arch.xpath("//button[@name='action_msp_claim']")
        self.assertIn("routing log", claim.get("help"))
        self.assertTrue(arch.xpath("//button[@name='action_msp_escalate']"))
        action = self.ticket().with_user(self.tech).action_msp_escalate()
        self.assertEqual(action["res_model"], "msp.ticket.escalate")

    def test_escalate_raises_priority_and_logs_the_reason(self):
        ticket = self.ticket(user_id=self.tech.id)
        self.escalate(ticket, self.tech)
        self.assertEqual(ticket.priority, "2")
        log = ticket.msp_routing_log_ids.filtered(lambda x: x.event == "escalation")
        self.assertEqual(len(log), 1)
        self.assertEqual(log.user_id, self.tech)
        self.assertIn("CEO cannot print", log.changes)
        self.assertIn("priority=2", log.changes)
        self.assertTrue(
            ticket.message_ids.filtered(lambda m: "CEO cannot print" in (m.body or ""))
        )
        # P1 stays P1
        p1 = self.ticket(priority="3")
        self.escalate(p1, self.tech)
        self.assertEqual(p1.priority, "3")

    def test_escalate_to_another_team_tells_on_call(self):
        ticket = self.ticket(user_id=self.tech.id)
        self.escalate(
            ticket,
            self.tech,
            team_id=self.tier2.id,
            raise_priority=False,
            notify_oncall=True,
        )
        self.assertEqual(ticket.team_id, self.tier2)
        self.assertEqual(ticket.priority, "1")
        activity = ticket.activity_ids.filtered(lambda a: a.user_id == self.oncall)
        self.assertEqual(len(activity), 1)
        self.assertIn("CEO cannot print", activity.summary)
        note = ticket.message_ids.filtered(
            lambda m: "CEO cannot print" in (m.body or "")
        )
        self.assertIn(self.oncall.partner_id, note.partner_ids)
        log = ticket.msp_routing_log_ids.filtered(lambda x: x.event == "escalation")
        self.assertIn("DP tier 2", log.changes)
        self.assertIn(self.oncall.name, log.changes)

    def test_escalate_needs_a_reason_and_an_open_ticket(self):
        ticket = self.ticket()
        Wizard = self.env["msp.ticket.escalate"].with_user(self.tech)
        for reason in (False, "   "):
            with self.assertRaises(ValidationError):
                Wizard.create({"ticket_id": ticket.id, "reason": reason})
        with self.assertRaises(UserError):
            Wizard.create({"ticket_id": ticket.id}).action_escalate()
        ticket.stage_id = self.env["helpdesk.ticket.stage"].search(
            [("closed", "=", True)], limit=1
        )
        with self.assertRaises(UserError):
            self.escalate(ticket, self.tech)
        self.assertFalse(
            ticket.msp_routing_log_ids.filtered(lambda x: x.event == "escalation")
        )

    def test_unassigned_queue_is_open_tickets_without_owner(self):
        owned = self.ticket(user_id=self.tech.id)
        free = self.ticket(user_id=False)
        free_no_team = self.ticket(user_id=False, team_id=False)
        closed = self.ticket(user_id=False)
        closed.stage_id = self.env["helpdesk.ticket.stage"].search(
            [("closed", "=", True)], limit=1
        )
        menu = self.env.ref("msp_routing.menu_msp_dispatch_unassigned")
        action = menu.action
        found = self.env["helpdesk.ticket"].search(safe_eval(action.domain))
        self.assertIn(free, found)
        self.assertIn(free_no_team, found)
        self.assertNotIn(owned, found)
        self.assertNotIn(closed, found)

    def test_routing_log_menu_for_dispatchers(self):
        menu = self.env.ref("msp_routing.menu_msp_routing_log")
        self.assertTrue(menu_reachable(menu, self.dispatcher))
        plain = new_test_user(self.env, login="dp_plain", groups="base.group_user")
        self.assertFalse(menu_reachable(menu, plain))

    def test_rule_priorities_are_ticked_as_p1_to_p4(self):
        rule = self.env["msp.routing.rule"].create(
            {"name": "DP urgent", "priority_p1": True, "priority_p2": True}
        )
        self.assertEqual(set(rule.priorities.split(",")), {"3", "2"})
        self.assertEqual(rule.priorities_label, "P1, P2")
        rule.priorities = "1"
        self.assertTrue(rule.priority_p3)
        self.assertFalse(rule.priority_p1)
        self.assertEqual(rule.priorities_label, "P3")
        rule.priority_p3 = False
        self.assertFalse(rule.priorities)
        self.assertEqual(rule.priorities_label, "Any")
        escalation = self.env["msp.escalation.rule"].create(
            {"name": "DP P4 idle", "trigger": "idle", "priority_p4": True}
        )
        self.assertEqual(escalation.priorities, "0")
        # the rule engine reads the codes the checkboxes wrote
        self.assertEqual(escalation._ticket_domain()[-1], ("priority", "in", ["0"]))


@tagged("post_install", "-at_install")
class TestDispatchRpc(HttpCase, DispatchCase):
    def test_dispatcher_reads_the_routing_log(self):
        ticket = self.ticket(user_id=False)
        ticket.with_user(self.tech).action_msp_claim()
        self.authenticate("dp_disp", "dp_disp_pw")
        rows = call_kw(
            self,
            "msp.routing.log",
            "search_read",
            [("ticket_id", "=", ticket.id)],
            fields=["event", "user_id", "changes"],
        )
        self.assertEqual([r["event"] for r in rows], ["claim"])
        with self.assertRaises(JsonRpcException) as caught:
            call_kw(self, "msp.routing.log", "write", [rows[0]["id"]], {"changes": "x"})
        self.assertEqual(caught.exception.args[0], "odoo.exceptions.AccessError")

    def test_technician_and_dispatcher_escalate_over_rpc(self):
        for login in ("dp_tech", "dp_disp"):
            ticket = self.ticket(user_id=self.tech.id)
            self.authenticate(login, f"{login}_pw")
            wizard_id = call_kw(
                self,
                "msp.ticket.escalate",
                "create",
                {"ticket_id": ticket.id, "reason": f"escalated by {login}"},
            )
            call_kw(self, "msp.ticket.escalate", "action_escalate", [wizard_id])
            ticket.invalidate_recordset()
            self.assertEqual(ticket.priority, "2", login)
            log = ticket.msp_routing_log_ids.filtered(lambda x: x.event == "escalation")
            self.assertEqual(log.user_id.login, login)
            self.assertIn(f"escalated by {login}", log.changes)
            with self.assertRaises(JsonRpcException, msg=login) as caught:
                call_kw(
                    self,
                    "msp.ticket.escalate",
                    "create",
                    {"ticket_id": ticket.id, "reason": False},
                )
            self.assertEqual(
                caught.exception.args[0], "odoo.exceptions.ValidationError"
            )
