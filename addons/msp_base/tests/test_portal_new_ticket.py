# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The portal's new-ticket form over real HTTP: category, urgency and impact
(the server sets the priority), every posted value checked (400 with the
form again, nothing created, never a 500); one close action, never
Cancelled."""

from odoo import Command
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools import mute_logger

from ..models.helpdesk_ticket import IMPACTS, PRIORITY_MATRIX, URGENCIES
from .common import PortalHttpMixin, make_portal_client


@tagged("post_install", "-at_install")
class TestPriorityMatrix(TransactionCase):
    def test_every_answer_has_a_priority(self):
        Ticket = self.env["helpdesk.ticket"]
        for urgency, _label in URGENCIES:
            for impact, _label in IMPACTS:
                self.assertIn(Ticket._msp_portal_priority(urgency, impact), "0123")
        self.assertEqual(len(PRIORITY_MATRIX), 9)
        # the corners: an outage is P1, a personal question P4
        self.assertEqual(Ticket._msp_portal_priority("stopped", "company"), "3")
        self.assertEqual(Ticket._msp_portal_priority("question", "me"), "0")
        # more people affected never lowers the priority, nor more urgency
        rank = {"stopped": 0, "degraded": 1, "question": 2}
        reach = {"company": 0, "team": 1, "me": 2}
        for (u1, i1), p1 in PRIORITY_MATRIX.items():
            for (u2, i2), p2 in PRIORITY_MATRIX.items():
                if rank[u1] <= rank[u2] and reach[i1] <= reach[i2]:
                    self.assertGreaterEqual(p1, p2, (u1, i1, u2, i2))


@tagged("post_install", "-at_install")
class TestPortalNewTicket(PortalHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_a, cls.contact_a, cls.user_a = make_portal_client(
            cls.env, "New Ticket Alpha", "nt_alpha"
        )
        Category = cls.env["helpdesk.ticket.category"]
        cls.category = Category.create({"name": "Portal Printers"})
        cls.hidden_category = Category.create(
            {"name": "Staff Only Category", "show_in_portal": False}
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other MSP Co"})
        cls.foreign_category = Category.create(
            {"name": "Other Co Category", "company_id": cls.other_company.id}
        )

    def form(self, **values):
        data = {
            "subject": "Printer on fire",
            "description": "Smoke from tray 2",
            "urgency": "stopped",
            "impact": "team",
            "category": str(self.category.id),
            "csrf_token": self.csrf_token(),
        }
        data.update(values)
        return {k: v for k, v in data.items() if v is not None}

    def submit(self, **values):
        return self.url_open(
            "/submitted/ticket", data=self.form(**values), allow_redirects=False
        )

    def tickets(self):
        return self.env["helpdesk.ticket"].search(
            [("partner_id", "=", self.contact_a.id)]
        )

    def test_form_asks_category_urgency_impact(self):
        self.login_as(self.user_a)
        page = self.url_open("/new/ticket")
        self.assertEqual(page.status_code, 200)
        self.assertIn('name="category"', page.text)
        self.assertIn("Portal Printers", page.text)
        self.assertNotIn("Staff Only Category", page.text)
        self.assertNotIn("Other Co Category", page.text)
        self.assertIn('name="urgency"', page.text)
        self.assertIn('name="impact"', page.text)
        self.assertIn("Work is stopped", page.text)
        self.assertIn("Just me", page.text)

    def test_submit_sets_priority_from_urgency_and_impact(self):
        self.login_as(self.user_a)
        response = self.submit()
        self.assertIn(response.status_code, (302, 303), response.text[:300])
        ticket = self.tickets()
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.priority, "2")  # stopped x team = P2
        self.assertEqual(ticket.msp_urgency, "stopped")
        self.assertEqual(ticket.msp_impact, "team")
        self.assertEqual(ticket.category_id, self.category)
        page = self.url_open(response.headers["Location"])
        self.assertIn("P2 - high", page.text)
        self.assertIn("Urgency: <span>Work is stopped</span>", page.text)
        self.assertIn("Affected: <span>A team or a site</span>", page.text)
        # a posted priority is ignored: the server decides
        self.submit(subject="Question", urgency="question", impact="me", priority="3")
        question = self.tickets().filtered(lambda t: t.name == "Question")
        self.assertEqual(question.priority, "0")

    def test_category_is_optional(self):
        self.login_as(self.user_a)
        response = self.submit(category="")
        self.assertIn(response.status_code, (302, 303))
        self.assertFalse(self.tickets().category_id)

    @mute_logger("odoo.http")
    def test_bad_values_refused_with_the_form(self):
        self.login_as(self.user_a)
        cases = [
            {"category": "abc"},
            {"category": "²"},
            {"category": str(self.hidden_category.id)},
            {"category": str(self.foreign_category.id)},
            {"category": "999999999"},
            {"urgency": "panic"},
            {"urgency": None},
            {"impact": None},
            {"subject": "   "},
            {"subject": None},
        ]
        for values in cases:
            response = self.submit(**values)
            self.assertEqual(response.status_code, 400, values)
            self.assertIn("o_msp_form_error", response.text, values)
            # the form comes back with what the client typed
            self.assertIn("Smoke from tray 2", response.text, values)
        self.assertFalse(self.tickets())
        # no description: a ticket all the same (OCA asks for one in the form)
        response = self.submit(description=None)
        self.assertIn(response.status_code, (302, 303))
        # neither urgency nor impact (another form, a script): helpdesk's
        # own priority, nothing derived
        response = self.submit(urgency=None, impact=None, subject="No triage")
        self.assertIn(response.status_code, (302, 303))
        ticket = self.tickets().filtered(lambda t: t.name == "No triage")
        self.assertEqual(len(ticket), 1)
        self.assertFalse(ticket.msp_urgency)
        self.assertFalse(ticket.msp_impact)

    def test_odd_list_urls_are_not_errors(self):
        self.login_as(self.user_a)
        for query in (
            "sortby=bogus",
            "date_begin=x&date_end=y",
            "date_begin=2026-01-01",
            "groupby=nope&filterby=zzz&search_in=x&search=a",
            "filterby=999999&groupby=stage&search_in=name&search=Alpha",
        ):
            response = self.url_open(f"/my/tickets?{query}")
            self.assertEqual(response.status_code, 200, query)
        response = self.url_open(
            "/my/tickets?date_begin=2020-01-01&date_end=2030-01-01"
        )
        self.assertEqual(response.status_code, 200)

    def test_foreign_company_category_does_not_move_the_ticket(self):
        self.login_as(self.user_a)
        self.submit(category=str(self.foreign_category.id))
        self.assertFalse(
            self.env["helpdesk.ticket"].search(
                [("company_id", "=", self.other_company.id)]
            )
        )


@tagged("post_install", "-at_install")
class TestPortalCloseAction(PortalHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_a, cls.contact_a, cls.user_a = make_portal_client(
            cls.env, "Close Action Alpha", "ca_alpha"
        )
        ref = cls.env.ref
        cls.stage_new = ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_done = ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.stage_cancelled = ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
        cls.team = cls.env["helpdesk.ticket.team"].create({"name": "Close Desk"})
        # a second portal-closing stage of the team: still one action
        cls.stage_solved = cls.env["helpdesk.ticket.stage"].create(
            {
                "name": "Solved by client",
                "sequence": 50,
                "closed": True,
                "close_from_portal": True,
                "team_ids": [Command.set(cls.team.ids)],
            }
        )
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Alpha mouse broken",
                "description": "<p>x</p>",
                "partner_id": cls.contact_a.id,
                "team_id": cls.team.id,
                "stage_id": cls.stage_new.id,
            }
        )

    def test_one_close_action_never_cancelled(self):
        self.assertFalse(self.stage_cancelled.close_from_portal)
        self.login_as(self.user_a)
        listing = self.url_open("/my/tickets")
        self.assertIn("Alpha mouse broken", listing.text)
        self.assertIn('<th name="th_msp_priority">Priority</th>', listing.text)
        self.assertNotIn("th_last_stage_update", listing.text)
        page = self.url_open(f"/my/ticket/{self.ticket.id}")
        self.assertIn("Close this ticket (resolved)", page.text)
        self.assertEqual(page.text.count('action="/ticket/close"'), 1)
        self.assertIn(f'name="stage_id" value="{self.stage_done.id}"', page.text)
        self.assertNotIn(f'value="{self.stage_cancelled.id}"', page.text)
        self.assertNotIn(f'value="{self.stage_solved.id}"', page.text)
        # posting the other stages by hand changes nothing
        for stage in (self.stage_cancelled, self.stage_solved):
            response = self.post_close(self.ticket, stage)
            self.assertEqual(response.status_code, 302)
            self.ticket.invalidate_recordset()
            self.assertEqual(self.ticket.stage_id, self.stage_new)
        response = self.post_close(self.ticket, self.stage_done)
        self.ticket.invalidate_recordset()
        self.assertEqual(self.ticket.stage_id, self.stage_done)
