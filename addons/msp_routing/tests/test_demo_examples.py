# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The brief's routing and escalation examples, as shipped in the demo data."""

from datetime import timedelta

from freezegun import freeze_time
from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestDemoExamples(TransactionCase):
    def setUp(self):
        super().setUp()
        if not self.env.ref("msp_routing.rule_p1_on_call", raise_if_not_found=False):
            self.skipTest("database installed without demo data")
        self.ref = self.env.ref

    def ticket(self, **values):
        return self.env["helpdesk.ticket"].create(
            {"name": "Demo example", "description": "<p>x</p>", **values}
        )

    def test_legal_firm_outage_becomes_p1_on_call(self):
        helen = self.ref("msp_base.contact_legal_a_helen")
        ticket = self.ticket(
            name="Email outage in the whole office", partner_id=helen.id
        )
        self.assertEqual(ticket.priority, "3")
        rotation = self.ref("msp_routing.rotation_after_hours")
        self.assertEqual(ticket.user_id, rotation._on_call(fields.Datetime.now()))
        self.assertEqual(
            ticket.msp_routing_log_ids.rule_id,
            self.ref("msp_routing.rule_legal_outage")
            | self.ref("msp_routing.rule_p1_on_call"),
        )

    def test_acme_portal_ticket_to_joe_in_dispatch(self):
        joe_client = self.ref("msp_base.contact_acme_joe")
        ticket = self.ticket(
            partner_id=joe_client.id,
            channel_id=self.ref("helpdesk_mgmt.helpdesk_ticket_channel_web").id,
        )
        self.assertEqual(ticket.team_id, self.ref("msp_routing.team_dispatch"))
        self.assertEqual(ticket.user_id, self.ref("msp_routing.user_joe"))

    def test_web_server_down_to_lead_tech_then_service_manager(self):
        ticket = self.ticket(
            name="ALERT: web server down on LFA-WEB01",
            channel_id=self.ref("msp_routing.channel_monitoring").id,
        )
        self.assertEqual(ticket.priority, "3")
        self.assertEqual(ticket.user_id, self.ref("msp_base.user_tom"))
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET write_date = write_date - interval '11 minutes'"
            " WHERE id = %s",
            (ticket.id,),
        )
        ticket.invalidate_recordset(["write_date"])
        self.env["msp.escalation.rule"]._cron_escalate()
        log = ticket.msp_routing_log_ids.filtered(lambda x: x.event == "escalation")
        self.assertIn(
            self.ref("msp_routing.escalation_web_server_idle"), log.escalation_id
        )
        self.assertIn("Grace Lindqvist", " ".join(log.mapped("changes")))

    def test_premium_overdue_to_immediate_attention(self):
        helen = self.ref("msp_base.contact_legal_a_helen")
        ticket = self.ticket(name="Scanner slow", partner_id=helen.id, priority="0")
        clock = ticket.msp_sla_clock_ids.filtered(lambda c: c.kind == "response")
        with freeze_time(clock.deadline + timedelta(minutes=1)):
            self.env["msp.sla.clock"]._cron_check()
        self.assertEqual(ticket.team_id, self.ref("msp_routing.team_immediate"))
        self.assertEqual(ticket.priority, "3")


@tagged("post_install", "-at_install")
class TestPortalIsolation(TransactionCase):
    def test_portal_user_sees_only_own_company_tickets(self):
        mine = self.env["res.partner"].create(
            {"name": "Portal Co A", "is_company": True}
        )
        theirs = self.env["res.partner"].create(
            {"name": "Portal Co B", "is_company": True}
        )
        user = new_test_user(self.env, login="portal_a", groups="base.group_portal")
        user.partner_id.parent_id = mine
        colleague = self.env["res.partner"].create(
            {"name": "Colleague", "parent_id": mine.id}
        )
        own = self.env["helpdesk.ticket"].create(
            {"name": "ours", "description": "<p>x</p>", "partner_id": colleague.id}
        )
        other = self.env["helpdesk.ticket"].create(
            {"name": "theirs", "description": "<p>x</p>", "partner_id": theirs.id}
        )
        visible = self.env["helpdesk.ticket"].with_user(user).search([])
        self.assertIn(own, visible)
        self.assertNotIn(other, visible)
        with self.assertRaises(AccessError):
            other.with_user(user).read(["name"])
