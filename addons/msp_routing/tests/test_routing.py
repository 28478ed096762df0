# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
from datetime import datetime, timedelta

from freezegun import freeze_time
from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import BaseCase, TransactionCase, new_test_user, tagged

from ..lib.matching import clean_subject, email_domain, select_rules


@tagged("post_install", "-at_install")
class TestMatchingLib(BaseCase):
    def test_clean_subject(self):
        self.assertEqual(clean_subject("RE: Fwd: FW:  Outage at HQ"), "Outage at HQ")
        self.assertEqual(clean_subject("Re[2]: printer"), "printer")
        self.assertEqual(clean_subject("Reboot needed"), "Reboot needed")

    def test_email_domain(self):
        self.assertEqual(
            email_domain("Helen <helen@Legal-Firm-A.com>"), "legal-firm-a.com"
        )
        self.assertEqual(email_domain("nobody"), "")

    def test_first_match_wins_unless_continue(self):
        facts = {"priority": "3", "subject": "Total outage"}
        first = {"id": 1, "subject_regex": re.compile("outage", re.I), "continue": True}
        second = {"id": 2, "priorities": {"3"}}
        third = {"id": 3}
        self.assertEqual(
            [r["id"] for r in select_rules([first, second, third], facts)], [1, 2]
        )
        first["continue"] = False
        self.assertEqual(
            [r["id"] for r in select_rules([first, second, third], facts)], [1]
        )

    def test_business_hours_condition(self):
        after = {"id": 1, "hours": "after"}
        self.assertFalse(select_rules([after], {"business_hours": True}))
        self.assertTrue(select_rules([after], {"business_hours": False}))


class RoutingCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Only this test's rules apply (demo rules are archived here).
        cls.env["msp.routing.rule"].search([]).active = False
        # and no catch-all team (see test_catchall)
        cls.env.company.msp_catchall_team_id = False
        cls.env["msp.escalation.rule"].search([]).active = False
        cls.env["msp.sla.clock"].sudo().search([]).write(
            {"warned": True, "breach_notified": True}
        )

        def tech(login, **values):
            return new_test_user(
                cls.env,
                login=login,
                groups="base.group_user,msp_base.group_msp_technician",
                **values,
            )

        cls.alice, cls.bob, cls.carol = (
            tech("rt_alice"),
            tech("rt_bob"),
            tech("rt_carol"),
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Routing Desk",
                "user_id": cls.carol.id,
                "user_ids": [Command.set((cls.alice | cls.bob | cls.carol).ids)],
            }
        )
        cls.network = cls.env["helpdesk.ticket.category"].create({"name": "RT Network"})
        cls.endpoint = cls.env["helpdesk.ticket.category"].create(
            {"name": "RT Endpoint"}
        )
        cls.client = cls.env["res.partner"].create(
            {
                "name": "Routed Client",
                "is_company": True,
                "msp_email_domain": "routed.example",
            }
        )
        cls.contact = cls.env["res.partner"].create(
            {
                "name": "Rita Routed",
                "parent_id": cls.client.id,
                "email": "rita@routed.example",
            }
        )

    def rule(self, **values):
        return self.env["msp.routing.rule"].create({"name": "rule", **values})

    def ticket(self, **values):
        return self.env["helpdesk.ticket"].create(
            {
                "name": "Something broke",
                "description": "<p>Help</p>",
                "partner_id": self.contact.id,
                **values,
            }
        )


@tagged("post_install", "-at_install")
class TestRoutingRules(RoutingCase):
    def test_rule_sets_team_category_priority_tags_in_create(self):
        tag = self.env["helpdesk.ticket.tag"].create({"name": "rt-vip"})
        rule = self.rule(
            client_ids=[Command.set(self.client.ids)],
            set_team_id=self.team.id,
            set_category_id=self.network.id,
            set_priority="2",
            add_tag_ids=[Command.set(tag.ids)],
        )
        ticket = self.ticket()
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.category_id, self.network)
        self.assertEqual(ticket.priority, "2")
        self.assertIn(tag, ticket.tag_ids)
        # routed before the SLA: the clocks carry the routed priority
        self.assertEqual(set(ticket.msp_sla_clock_ids.mapped("priority")), {"2"})
        log = ticket.msp_routing_log_ids
        self.assertEqual(log.rule_id, rule)
        self.assertEqual(log.event, "intake")
        self.assertIn("team=Routing Desk", log.changes)
        self.assertTrue(ticket.msp_routed_date)

    def test_order_and_continue(self):
        first = self.rule(
            sequence=1, subject_regex="outage", set_priority="3", continue_matching=True
        )
        second = self.rule(sequence=2, priorities="3", set_team_id=self.team.id)
        third = self.rule(sequence=3, set_category_id=self.endpoint.id)
        ticket = self.ticket(name="Total OUTAGE at HQ")
        self.assertEqual(ticket.priority, "3")
        self.assertEqual(ticket.team_id, self.team)
        self.assertNotEqual(ticket.category_id, self.endpoint, "second rule stops")
        self.assertEqual(ticket.msp_routing_log_ids.rule_id, first | second)
        quiet = self.ticket(name="Printer jam")
        self.assertEqual(quiet.msp_routing_log_ids.rule_id, third)

    def test_sender_domain_subject_and_domain_conditions(self):
        rule = self.rule(
            sender_domains="routed.example, other.example",
            subject_regex=r"^urgent",
            domain=str([("description", "ilike", "server")]),
            set_priority="2",
        )
        hit = self.ticket(name="URGENT please", description="<p>server room</p>")
        miss = self.ticket(name="URGENT please", description="<p>mouse</p>")
        self.assertEqual(hit.msp_routing_log_ids.rule_id, rule)
        self.assertFalse(miss.msp_routing_log_ids)

    def test_bad_regex_is_refused(self):
        with self.assertRaises(ValidationError):
            self.rule(subject_regex="(unclosed")

    def test_queries_do_not_grow_with_non_matching_rules(self):
        def queries_for_one_ticket():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.ticket(name="Nothing special")
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        self.rule(subject_regex="never-matches-0")
        queries_for_one_ticket()  # warm-up
        few = queries_for_one_ticket()
        for n in range(1, 40):
            self.rule(
                subject_regex=f"never-matches-{n}",
                client_ids=[Command.set(self.client.ids)],
            )
        queries_for_one_ticket()  # the rule cache fills once after a change
        many = queries_for_one_ticket()
        self.assertLessEqual(many, few)


@tagged("post_install", "-at_install")
class TestAssignmentPolicies(RoutingCase):
    def test_named_user_and_away(self):
        self.rule(set_team_id=self.team.id, policy="user", assign_user_id=self.bob.id)
        self.assertEqual(self.ticket().user_id, self.bob)
        self.bob.msp_away_until = fields.Datetime.now() + timedelta(days=2)
        ticket = self.ticket()
        self.assertFalse(ticket.user_id, "away: nobody rather than the creator")
        self.assertIn("nobody available", ticket.msp_routing_log_ids.changes)

    def test_round_robin_cycles_and_skips_inactive(self):
        self.rule(set_team_id=self.team.id, policy="round_robin")
        owners = [self.ticket().user_id for _ in range(4)]
        self.assertEqual(owners, [self.alice, self.bob, self.carol, self.alice])
        self.bob.active = False
        self.assertEqual(self.ticket().user_id, self.carol)

    def test_least_loaded_weighs_priority(self):
        self.rule(set_team_id=self.team.id, policy="least_loaded", priorities="0")
        ctx = self.env["helpdesk.ticket"].with_context(msp_routing_skip=True)
        common = {"description": "<p>x</p>", "team_id": self.team.id}
        ctx.create({"name": "p1", "priority": "3", "user_id": self.alice.id, **common})
        ctx.create({"name": "a", "priority": "0", "user_id": self.bob.id, **common})
        ctx.create({"name": "b", "priority": "0", "user_id": self.bob.id, **common})
        ctx.create({"name": "c", "priority": "1", "user_id": self.carol.id, **common})
        # loads: alice 4, bob 2, carol 2 -> bob (lowest id on a tie)
        self.assertEqual(self.ticket(priority="0").user_id, self.bob)

    def test_skill_based(self):
        self.carol.msp_skill_category_ids = self.network
        self.rule(set_team_id=self.team.id, policy="skill")
        self.assertEqual(self.ticket(category_id=self.network.id).user_id, self.carol)
        self.assertFalse(self.ticket(category_id=self.endpoint.id).user_id)

    def test_on_call_rotation_overrides_and_leave(self):
        rotation = self.env["msp.oncall.rotation"].create(
            {
                "name": "RT on call",
                "start_date": "2026-11-02",  # a Monday
                "member_ids": [
                    Command.create({"sequence": 1, "user_id": self.alice.id}),
                    Command.create({"sequence": 2, "user_id": self.bob.id}),
                ],
            }
        )
        week_one = datetime(2026, 11, 4, 3, 0)
        week_two = datetime(2026, 11, 11, 3, 0)
        self.assertEqual(rotation._on_call(week_one), self.alice)
        self.assertEqual(rotation._on_call(week_two), self.bob)
        self.env["msp.oncall.override"].create(
            {
                "rotation_id": rotation.id,
                "user_id": self.carol.id,
                "date_from": datetime(2026, 11, 11),
                "date_to": datetime(2026, 11, 12),
                "reason": "swap",
            }
        )
        self.assertEqual(rotation._on_call(week_two), self.carol)
        self.alice.msp_away_until = datetime(2026, 11, 5)
        self.assertEqual(rotation._on_call(week_one), self.bob, "alice on leave")
        self.rule(priorities="3", policy="on_call", rotation_id=rotation.id)
        with freeze_time(week_two):
            self.assertEqual(self.ticket(priority="3").user_id, self.carol)


@tagged("post_install", "-at_install")
class TestMailIntake(RoutingCase):
    def _mail(self, sender, subject, message_id):
        return (
            f"From: {sender}\r\nTo: support@msp.example.com\r\nSubject: {subject}\r\n"
            f"Message-Id: <{message_id}@routed.example>\r\n"
            "Content-Type: text/plain\r\n\r\nThe VPN is down for everyone.\r\n"
        )

    def _process(self, sender, subject, message_id):
        ticket_id = self.env["mail.thread"].message_process(
            "helpdesk.ticket", self._mail(sender, subject, message_id)
        )
        return self.env["helpdesk.ticket"].browse(ticket_id)

    def test_known_contact_client_domain_and_unknown_sender(self):
        known = self._process("Rita <rita@routed.example>", "VPN down", "m1")
        self.assertEqual(known.partner_id, self.contact)
        self.assertFalse(known.user_id, "not auto-assigned to OdooBot")
        self.assertEqual(
            known.channel_id,
            self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_email"),
        )
        self.assertFalse(known.msp_unknown_sender)
        colleague = self._process("New Guy <new.guy@routed.example>", "Printer", "m2")
        self.assertEqual(colleague.partner_id, self.client)
        self.assertFalse(colleague.msp_unknown_sender)
        stranger = self._process("x@unknown-corp.example", "Hello", "m3")
        self.assertTrue(stranger.msp_unknown_sender)

    def test_reply_prefixes_cleaned_and_duplicate_linked(self):
        first = self._process("Rita <rita@routed.example>", "RE: FW: VPN down", "m4")
        self.assertEqual(first.name, "VPN down")
        again = self._process("Rita <rita@routed.example>", "Fwd: VPN down", "m5")
        self.assertEqual(again, first, "same sender and subject within the window")
        self.assertEqual(
            len(first.message_ids.filtered(lambda m: m.message_type == "email")), 2
        )

    def test_mail_is_routed_by_sender_domain(self):
        self.rule(
            sender_domains="routed.example",
            subject_regex="outage",
            set_priority="3",
            set_team_id=self.team.id,
        )
        ticket = self._process("rita@routed.example", "Outage at HQ", "m6")
        self.assertEqual(ticket.priority, "3")
        self.assertEqual(ticket.team_id, self.team)


@tagged("post_install", "-at_install")
class TestClaimAndEscalation(RoutingCase):
    def test_claim_and_reassign_are_logged(self):
        ticket = self.ticket(user_id=False)
        self.assertFalse(ticket.msp_routed_date)
        with freeze_time(fields.Datetime.now() + timedelta(minutes=30)):
            ticket.with_user(self.alice).action_msp_claim()
        self.assertEqual(ticket.user_id, self.alice)
        self.assertEqual(ticket.msp_claimed_by_id, self.alice)
        self.assertGreater(ticket.msp_time_to_claim, 0.4)
        ticket.user_id = self.bob
        self.assertTrue(ticket.msp_routed_date, "the claim routed it")
        self.assertGreater(ticket.msp_time_to_route, 0.4)
        events = ticket.msp_routing_log_ids.mapped("event")
        self.assertIn("claim", events)
        self.assertIn("reassign", events)

    def test_no_response_escalation_fires_once(self):
        rule = self.env["msp.escalation.rule"].create(
            {
                "name": "P2 unanswered",
                "trigger": "no_response",
                "minutes": 10,
                "priorities": "2",
                "assign": "team_lead",
                "activity": True,
            }
        )
        ticket = self.ticket(team_id=self.team.id, priority="2", user_id=self.alice.id)
        later = fields.Datetime.now() + timedelta(minutes=15)
        with freeze_time(later):
            self.env["msp.escalation.rule"]._cron_escalate()
            self.env["msp.escalation.rule"]._cron_escalate()
        self.assertEqual(ticket.user_id, self.carol, "the team lead")
        log = ticket.msp_routing_log_ids.filtered(lambda x: x.event == "escalation")
        self.assertEqual(len(log), 1)
        self.assertEqual(log.escalation_id, rule)

    def test_sla_breach_escalation_for_premium_clients(self):
        premium = self.env["res.partner.category"].create({"name": "RT Premium"})
        self.client.category_id = premium
        urgent = self.env["helpdesk.ticket.team"].create({"name": "RT Immediate"})
        manager = new_test_user(
            self.env,
            login="rt_mgr",
            groups="base.group_user,msp_base.group_msp_service_manager",
            email="rt_mgr@msp.example.com",
        )
        self.env["msp.escalation.rule"].create(
            {
                "name": "Premium overdue",
                "trigger": "sla_breach",
                "client_tag_ids": [Command.set(premium.ids)],
                "set_team_id": urgent.id,
                "set_priority": "3",
                "notify_user_ids": [Command.set(manager.ids)],
            }
        )
        ticket = self.ticket(team_id=self.team.id, priority="1")
        clock = ticket.msp_sla_clock_ids.filtered(lambda c: c.kind == "response")
        with freeze_time(clock.deadline + timedelta(minutes=1)):
            self.env["msp.sla.clock"]._cron_check()
        self.assertEqual(ticket.team_id, urgent)
        self.assertEqual(ticket.priority, "3")
        mail = self.env["mail.mail"].search(
            [("subject", "ilike", ticket.number)], limit=1
        )
        self.assertIn(manager.partner_id, mail.recipient_ids)
        self.assertIn("/odoo/helpdesk.ticket/", mail.body_html)


@tagged("post_install", "-at_install")
class TestAssetRouting(RoutingCase):
    def test_asset_type_condition(self):
        firewall = self.env.ref("msp_assets.asset_type_firewall")
        asset = self.env["msp.asset"].create(
            {"name": "RT-FW1", "client_id": self.client.id, "type_id": firewall.id}
        )
        rule = self.rule(
            asset_type_ids=[Command.set(firewall.ids)], set_team_id=self.team.id
        )
        hit = self.ticket(msp_asset_id=asset.id)
        miss = self.ticket()
        self.assertEqual(hit.msp_routing_log_ids.rule_id, rule)
        self.assertEqual(hit.team_id, self.team)
        self.assertEqual(hit.msp_asset_type_id, firewall)
        self.assertFalse(miss.msp_routing_log_ids)
