# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""One word for one SLA situation, in the client's language.

- The portal's status words are text nodes of the template (the translation
  export reads them), not strings in a ``t-value`` dict (it does not).
- A running clock whose deadline has passed is breached at once, on the
  portal and in the overrun so far, whatever the stored status says until
  the cron flags it.
"""

from datetime import timedelta

from freezegun import freeze_time
from lxml import etree
from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.msp_base.tests.common import PortalHttpMixin, make_portal_client

from .common import MONDAY, SlaCase

PORTAL_WORDS = (
    "On track",
    "Due soon",
    "On hold: waiting for your reply",
    "Met",
    "Closed by you",
    "Late",
    "by",
    "was due",
)
FRENCH = {
    "On track": "Dans les temps",
    "Late": "En retard",
    "was due": "attendu le",
}


@tagged("post_install", "-at_install")
class TestSlaEffectiveStatus(SlaCase):
    def test_running_past_deadline_reads_breached(self):
        ticket = self.env["helpdesk.ticket"]
        due = MONDAY.replace(hour=10)
        before, after = due - timedelta(minutes=1), due + timedelta(minutes=1)
        for status in ("running", "at_risk"):
            self.assertEqual(
                ticket._msp_sla_effective_status(status, due, now=before), status
            )
            self.assertEqual(
                ticket._msp_sla_effective_status(status, due, now=after), "breached"
            )
        # a pause stops the clock: not late while it waits on the client
        for status in ("paused", "met", "client_closed", "breached", "none"):
            self.assertEqual(
                ticket._msp_sla_effective_status(status, due, now=after), status
            )
        self.assertEqual(
            ticket._msp_sla_effective_status("running", False, now=after), "running"
        )

    def test_overrun_so_far_shows_before_the_cron_flags_the_breach(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="2")
        response = self.clock(ticket, "response")
        self.assertEqual(response.deadline, MONDAY.replace(hour=10))
        with freeze_time(MONDAY.replace(hour=9, minute=30)):
            ticket.invalidate_recordset(["msp_sla_overrun_hours"])
            self.assertEqual(ticket.msp_sla_overrun_hours, 0.0)
        with freeze_time(MONDAY.replace(hour=12)):
            # the cron has not run: stored, the clock still runs on time ...
            self.assertFalse(response.breached)
            self.assertEqual(ticket.msp_sla_response_status, "running")
            # ... but it is late by two working hours, and says so
            ticket.invalidate_recordset(["msp_sla_overrun_hours"])
            self.assertAlmostEqual(ticket.msp_sla_overrun_hours, 2.0)
            self.assertEqual(
                ticket._msp_sla_effective_status(
                    ticket.msp_sla_response_status, ticket.msp_sla_response_deadline
                ),
                "breached",
            )
            # and the cron agrees: same overrun once flagged
            self.env["msp.sla.clock"]._cron_check()
            self.assertTrue(response.breached)
            self.assertEqual(ticket.msp_sla_response_status, "breached")
            ticket.invalidate_recordset(["msp_sla_overrun_hours"])
            self.assertAlmostEqual(ticket.msp_sla_overrun_hours, 2.0)


@tagged("post_install", "-at_install")
class TestSlaPortalWords(PortalHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_a, cls.contact_a, cls.user_a = make_portal_client(
            cls.env, "SLA Words Alpha", "slaw_alpha"
        )
        cls.profile = cls.env["msp.sla.profile"].create(
            {
                "name": "Portal words profile",
                "target_ids": [
                    (0, 0, {"priority": p, "response_hours": 2, "resolution_hours": 9})
                    for p in ("0", "1", "2", "3")
                ],
            }
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {"name": "SLA Words Desk", "msp_sla_profile_id": cls.profile.id}
        )
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Alpha printer jam",
                "description": "<p>x</p>",
                "partner_id": cls.contact_a.id,
                "team_id": cls.team.id,
                "priority": "2",
            }
        )
        cls.view = cls.env.ref("msp_sla.portal_sla_status")

    def _terms(self):
        return self.view._fields["arch_db"].get_trans_terms(self.view.arch_db)

    def _french(self):
        """{exported term: its French}, from the words in FRENCH."""
        result = {}
        for term in self._terms():
            for word, french in FRENCH.items():
                if term == word or f">{word}<" in term:
                    result[term] = term.replace(word, french)
        self.assertEqual(len(result), len(FRENCH))
        return result

    def test_status_words_are_exported_terms(self):
        """What the translation export collects from the template (the
        field's own term extraction) holds every client-visible word, and
        no word hides in an attribute (a ``t-value`` dict is not exported)."""
        terms = self._terms()
        for word in PORTAL_WORDS:
            # a word alone in an inline element is exported with its tag
            self.assertTrue(
                any(term == word or f">{word}<" in term for term in terms),
                f"{word!r} not in the exported terms {terms}",
            )
        arch = etree.fromstring(self.view.arch_db)
        for node in arch.iter():
            for name, value in node.attrib.items():
                for word in PORTAL_WORDS[:6]:
                    self.assertNotIn(f"'{word}'", value, f"{node.tag} @{name}")

    def test_portal_page_in_the_clients_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.view.update_field_translations("arch_db", {"fr_FR": self._french()})
        self.user_a.lang = "fr_FR"
        self.assertEqual(self.ticket.msp_sla_response_status, "running")
        self.login_as(self.user_a)
        page = self.url_open(f"/my/ticket/{self.ticket.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Dans les temps", page.text)
        self.assertNotIn("On track", page.text)
        listing = self.url_open("/my/tickets")
        self.assertIn("Dans les temps", listing.text)
        # past its deadline, not yet flagged by the cron: late, in French
        self.ticket.sudo().write(
            {
                "msp_sla_response_deadline": fields.Datetime.now() - timedelta(hours=1),
            }
        )
        page = self.url_open(f"/my/ticket/{self.ticket.id}")
        self.assertEqual(self.ticket.msp_sla_response_status, "running")
        self.assertIn("o_msp_sla_breached", page.text)
        self.assertIn("En retard", page.text)
        self.assertIn("attendu le", page.text)

    def test_running_past_deadline_is_late_in_english_too(self):
        self.ticket.sudo().write(
            {
                "msp_sla_response_deadline": fields.Datetime.now() - timedelta(hours=1),
                "msp_sla_deadline": fields.Datetime.now() - timedelta(hours=1),
            }
        )
        self.login_as(self.user_a)
        page = self.url_open(f"/my/ticket/{self.ticket.id}")
        self.assertIn("Late", page.text)
        self.assertIn("was due", page.text)
        listing = self.url_open("/my/tickets")
        self.assertIn("o_msp_sla_breached", listing.text)
