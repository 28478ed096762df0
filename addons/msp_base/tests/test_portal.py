# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Portal clients over real HTTP: each reads only their own tickets, and
closes them only through a POST with CSRF into a closing stage of the
ticket's team."""

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import PortalHttpMixin, make_portal_client


@tagged("post_install", "-at_install")
class TestPortalTickets(PortalHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_a, cls.contact_a, cls.user_a = make_portal_client(
            cls.env, "Portal Client Alpha", "portal_alpha"
        )
        cls.client_b, cls.contact_b, cls.user_b = make_portal_client(
            cls.env, "Portal Client Bravo", "portal_bravo"
        )
        # a second contact of client A, not a portal user's partner
        cls.colleague_a = cls.env["res.partner"].create(
            {"name": "Alpha Colleague", "parent_id": cls.client_a.id}
        )
        cls.team = cls.env["helpdesk.ticket.team"].create({"name": "Portal Desk"})
        cls.other_team = cls.env["helpdesk.ticket.team"].create({"name": "Other Desk"})
        ref = cls.env.ref
        cls.stage_new = ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_progress = ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
        cls.stage_done = ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.stage_rejected = ref("helpdesk_mgmt.helpdesk_ticket_stage_rejected")
        cls.stage_other_team = cls.env["helpdesk.ticket.stage"].create(
            {
                "name": "Solved (other desk)",
                "closed": True,
                "close_from_portal": True,
                "team_ids": [Command.set(cls.other_team.ids)],
            }
        )
        cls.ticket_a = cls._ticket("Alpha scanner jammed", cls.contact_a)
        cls.ticket_a2 = cls._ticket("Alpha VPN request", cls.colleague_a)
        cls.ticket_b = cls._ticket("Bravo payroll server down", cls.contact_b)

    @classmethod
    def _ticket(cls, name, partner):
        return cls.env["helpdesk.ticket"].create(
            {
                "name": name,
                "description": f"<p>{name}</p>",
                "partner_id": partner.id,
                "team_id": cls.team.id,
                "stage_id": cls.stage_new.id,
            }
        )

    def assertUnchanged(self, ticket):
        ticket.invalidate_recordset()
        self.assertEqual(ticket.stage_id, self.stage_new)
        self.assertFalse(ticket.closed_date)

    # ------------------------------------------------------------- reading

    def test_own_tickets_readable_others_not_by_url(self):
        self.login_as(self.user_a)
        page = self.url_open(f"/my/ticket/{self.ticket_a.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Alpha scanner jammed", page.text)
        # a colleague's ticket of the same client is the client's ticket
        page = self.url_open(f"/my/ticket/{self.ticket_a2.id}")
        self.assertIn("Alpha VPN request", page.text)
        response = self.url_open(
            f"/my/ticket/{self.ticket_b.id}", allow_redirects=False
        )
        self.assertIn(response.status_code, (303, 302, 403, 404))
        self.assertNotIn("Bravo payroll", response.text)
        page = self.url_open(f"/my/ticket/{self.ticket_b.id}")
        self.assertNotIn("Bravo payroll", page.text)
        listing = self.url_open("/my/tickets")
        self.assertEqual(listing.status_code, 200)
        self.assertIn("Alpha scanner jammed", listing.text)
        self.assertNotIn("Bravo payroll", listing.text)

    def test_other_clients_ticket_not_readable_by_rpc(self):
        self.login_as(self.user_a)
        result, error = self.rpc("helpdesk.ticket", "read", self.ticket_a.ids, ["name"])
        self.assertIsNone(error)
        self.assertEqual(result[0]["name"], "Alpha scanner jammed")
        self.assertRpcDenied("helpdesk.ticket", self.ticket_b.ids)
        result, error = self.rpc(
            "helpdesk.ticket",
            "search_read",
            [("id", "in", (self.ticket_a | self.ticket_b).ids)],
            fields=["name"],
        )
        self.assertEqual([r["id"] for r in result], self.ticket_a.ids)
        # and no write over RPC, even on their own ticket
        _result, error = self.rpc(
            "helpdesk.ticket",
            "write",
            self.ticket_a.ids,
            {"stage_id": self.stage_done.id},
        )
        self.assertEqual(error, "odoo.exceptions.AccessError")
        self.assertUnchanged(self.ticket_a)

    # ------------------------------------------------------------- closing

    def test_get_close_changes_nothing(self):
        self.login_as(self.user_a)
        response = self.url_open(
            f"/ticket/close?ticket_id={self.ticket_a.id}&stage_id={self.stage_done.id}",
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 405)
        self.assertUnchanged(self.ticket_a)

    def test_post_without_csrf_refused(self):
        self.login_as(self.user_a)
        response = self.post_close(self.ticket_a, self.stage_done, csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertUnchanged(self.ticket_a)

    def test_post_by_other_clients_user_refused(self):
        self.login_as(self.user_b)
        response = self.post_close(self.ticket_a, self.stage_done)
        self.assertEqual(response.status_code, 404)
        self.assertUnchanged(self.ticket_a)
        # even following the ticket (reads it) does not make it theirs
        self.ticket_a.message_subscribe(partner_ids=self.contact_b.ids)
        self.assertEqual(
            self.url_open(f"/my/ticket/{self.ticket_a.id}").status_code, 200
        )
        response = self.post_close(self.ticket_a, self.stage_done)
        self.assertEqual(response.status_code, 403)
        self.assertUnchanged(self.ticket_a)

    def test_post_by_internal_user_refused(self):
        tech = new_test_user(
            self.env,
            login="portal_t_tech",
            password="portal_t_tech-Pw-2026",
            groups="base.group_user,msp_base.group_msp_technician",
        )
        self.team.user_ids = [Command.link(tech.id)]
        self.login_as(tech)
        response = self.post_close(self.ticket_a, self.stage_done)
        self.assertEqual(response.status_code, 403)
        self.assertUnchanged(self.ticket_a)

    def test_post_to_non_closing_stage_refused(self):
        self.login_as(self.user_a)
        for stage in (self.stage_progress, self.stage_rejected, self.stage_other_team):
            response = self.post_close(self.ticket_a, stage)
            self.assertEqual(response.status_code, 302, stage.name)
            self.assertUnchanged(self.ticket_a)
        page = self.url_open(response.headers["Location"])
        self.assertIn("cannot be closed into that stage", page.text)
        # the message shows once
        page = self.url_open(f"/my/ticket/{self.ticket_a.id}")
        self.assertNotIn("cannot be closed into that stage", page.text)

    def test_bad_parameters_are_a_client_error(self):
        self.login_as(self.user_a)
        for ticket_id, stage_id in (("x", "1"), ("1", ""), ("²", "1")):
            response = self.url_open(
                "/ticket/close",
                data={
                    "ticket_id": ticket_id,
                    "stage_id": stage_id,
                    "csrf_token": self.csrf_token(),
                },
                allow_redirects=False,
            )
            self.assertEqual(response.status_code, 400)
        response = self.url_open(
            "/ticket/close",
            data={
                "ticket_id": str(self.ticket_a.id),
                "stage_id": "999999999",
                "csrf_token": self.csrf_token(),
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 302)
        self.assertUnchanged(self.ticket_a)

    def test_own_client_closes_by_post(self):
        self.login_as(self.user_a)
        page = self.url_open(f"/my/ticket/{self.ticket_a.id}")
        # the close buttons are POST forms with the CSRF token, for the
        # team's closing stages offered to the portal only
        self.assertRegex(
            page.text, r'<form[^>]*method="POST"[^>]*action="/ticket/close"'
        )
        self.assertIn('name="csrf_token"', page.text)
        self.assertIn(f'name="stage_id" value="{self.stage_done.id}"', page.text)
        self.assertNotIn(
            f'name="stage_id" value="{self.stage_other_team.id}"', page.text
        )
        # the colleague's ticket is the client's too
        response = self.post_close(self.ticket_a2, self.stage_done)
        self.assertEqual(response.status_code, 302)
        self.ticket_a2.invalidate_recordset()
        self.assertEqual(self.ticket_a2.stage_id, self.stage_done)
        self.assertTrue(self.ticket_a2.closed_date)
        # once closed, no more buttons, and closing again is refused
        page = self.url_open(f"/my/ticket/{self.ticket_a2.id}")
        self.assertNotIn('action="/ticket/close"', page.text)
        response = self.post_close(
            self.ticket_a2,
            self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled"),
        )
        self.assertEqual(response.status_code, 302)
        self.ticket_a2.invalidate_recordset()
        self.assertEqual(self.ticket_a2.stage_id, self.stage_done)

    def test_no_close_buttons_for_others(self):
        self.ticket_a.message_subscribe(partner_ids=self.contact_b.ids)
        self.login_as(self.user_b)
        page = self.url_open(f"/my/ticket/{self.ticket_a.id}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn('action="/ticket/close"', page.text)
