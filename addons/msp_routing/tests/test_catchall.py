# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""No routed ticket ends without a team: the company's catch-all team takes
what no rule gave a team, whatever the channel; the back-office form
requires a team."""

from odoo.tests import Form, tagged

from .test_routing import RoutingCase


@tagged("post_install", "-at_install")
class TestCatchAllTeam(RoutingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.triage = cls.env["helpdesk.ticket.team"].create({"name": "Triage"})
        cls.env.company.msp_catchall_team_id = cls.triage

    def test_created_without_team_lands_in_catchall_not_routed(self):
        ticket = self.ticket(user_id=False)
        self.assertEqual(ticket.team_id, self.triage)
        self.assertFalse(ticket.msp_routed_date, "triage is not a routing")
        log = ticket.msp_routing_log_ids
        self.assertEqual(log.event, "intake")
        self.assertIn("catch-all", log.changes)

    def test_rule_team_wins(self):
        self.rule(client_ids=[self.client.id], set_team_id=self.team.id)
        self.assertEqual(self.ticket().team_id, self.team)

    def test_owner_team_wins(self):
        self.assertEqual(self.ticket(user_id=self.alice.id).team_id, self.team)

    def test_every_channel(self):
        mail = self.env["mail.thread"].message_process(
            "helpdesk.ticket",
            "From: x@unknown-corp.example\r\nTo: support@msp.example.com\r\n"
            "Subject: Lost\r\nMessage-Id: <c1@unknown-corp.example>\r\n"
            "Content-Type: text/plain\r\n\r\nHello\r\n",
        )
        self.assertEqual(self.env["helpdesk.ticket"].browse(mail).team_id, self.triage)
        portal = self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_web")
        self.assertEqual(
            self.ticket(channel_id=portal.id, user_id=False).team_id, self.triage
        )

    def test_no_catchall_no_team(self):
        self.env.company.msp_catchall_team_id = False
        self.assertFalse(self.ticket(user_id=False).team_id)

    def test_setting(self):
        settings = self.env["res.config.settings"].create(
            {"msp_catchall_team_id": self.team.id}
        )
        settings.execute()
        self.assertEqual(self.env.company.msp_catchall_team_id, self.team)

    def test_back_office_form_requires_a_team(self):
        form = Form(self.env["helpdesk.ticket"])
        form.name = "Typed in"
        form.description = "<p>by hand</p>"
        form.team_id = self.env["helpdesk.ticket.team"]
        with self.assertRaisesRegex(AssertionError, "team_id"):
            form.save()
        form.team_id = self.team
        self.assertEqual(form.save().team_id, self.team)
