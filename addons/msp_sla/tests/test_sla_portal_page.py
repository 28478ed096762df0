# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""SLA targets and status on the client's portal, in a client's words: on
the ticket page and in the ticket list, only the ticket's own; the clocks
themselves stay unreadable to portal users."""

from odoo.tests import HttpCase, tagged

from odoo.addons.msp_base.tests.common import PortalHttpMixin, make_portal_client


@tagged("post_install", "-at_install")
class TestSlaPortalPage(PortalHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_a, cls.contact_a, cls.user_a = make_portal_client(
            cls.env, "SLA Portal Alpha", "slap_alpha"
        )
        cls.client_b, cls.contact_b, cls.user_b = make_portal_client(
            cls.env, "SLA Portal Bravo", "slap_bravo"
        )
        cls.profile = cls.env["msp.sla.profile"].create(
            {
                "name": "Portal page profile",
                "target_ids": [
                    (0, 0, {"priority": p, "response_hours": 2, "resolution_hours": 9})
                    for p in ("0", "1", "2", "3")
                ],
            }
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {"name": "SLA Portal Desk", "msp_sla_profile_id": cls.profile.id}
        )
        cls.ticket_a = cls._ticket("Alpha laptop slow", cls.contact_a)
        cls.ticket_b = cls._ticket("Bravo VPN down", cls.contact_b)
        # Bravo's answer is late: its page says so, Alpha never sees it
        cls.ticket_b.sudo().write({"msp_sla_response_status": "breached"})

    @classmethod
    def _ticket(cls, name, partner):
        return cls.env["helpdesk.ticket"].create(
            {
                "name": name,
                "description": "<p>x</p>",
                "partner_id": partner.id,
                "team_id": cls.team.id,
                "priority": "2",
            }
        )

    def test_ticket_page_shows_own_targets(self):
        self.assertEqual(self.ticket_a.msp_sla_response_status, "running")
        self.login_as(self.user_a)
        page = self.url_open(f"/my/ticket/{self.ticket_a.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Our service level", page.text)
        self.assertIn("First answer", page.text)
        self.assertIn("Resolution", page.text)
        self.assertIn("On track", page.text)
        self.assertIn("o_msp_sla_due", page.text)
        self.assertNotIn("o_msp_sla_breached", page.text)
        listing = self.url_open("/my/tickets")
        self.assertIn("Service level", listing.text)
        self.assertIn("On track", listing.text)
        self.assertNotIn("Bravo VPN", listing.text)

    def test_late_answer_in_client_words(self):
        self.login_as(self.user_b)
        page = self.url_open(f"/my/ticket/{self.ticket_b.id}")
        self.assertIn("o_msp_sla_breached", page.text)
        self.assertIn("was due", page.text)
        # a paused clock says why
        self.ticket_b.sudo().write({"msp_sla_resolution_status": "paused"})
        page = self.url_open(f"/my/ticket/{self.ticket_b.id}")
        self.assertIn("On hold: waiting for your reply", page.text)

    def test_other_clients_sla_not_shown_or_readable(self):
        self.login_as(self.user_a)
        page = self.url_open(f"/my/ticket/{self.ticket_b.id}")
        self.assertNotIn("Bravo VPN", page.text)
        self.assertNotIn("o_msp_sla_breached", page.text)
        self.assertRpcDenied("helpdesk.ticket", self.ticket_b.ids)
        # the clocks are the MSP's, even the client's own
        self.assertRpcDenied("msp.sla.clock", self.ticket_b.msp_sla_clock_ids.ids)
        self.assertRpcDenied("msp.sla.clock", self.ticket_a.msp_sla_clock_ids.ids)

    def test_no_sla_block_without_sla(self):
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "No SLA here", "description": "<p>x</p>",
             "partner_id": self.contact_a.id}
        )  # fmt: skip
        ticket.sudo().write({"msp_sla_status": "none"})
        self.login_as(self.user_a)
        page = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("Our service level", page.text)
