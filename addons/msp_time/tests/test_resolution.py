# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MspTimeCase


@tagged("post_install", "-at_install")
class TestResolutionNote(MspTimeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.done = cls.env["helpdesk.ticket.stage"].search(
            [("closed", "=", True)], limit=1
        )

    def test_long_ticket_needs_a_note_to_close(self):
        self._entry(hours=0.75)
        ticket = self.ticket.with_user(self.tech)
        with self.assertRaisesRegex(UserError, "resolution note"):
            ticket.stage_id = self.done
        ticket.write(
            {
                "msp_resolution_requested": "Printer prints blank pages",
                "msp_resolution_done": "Replaced the fuser, cleaned the drum",
                "msp_resolution_followup": "Order a spare fuser",
            }
        )
        ticket.stage_id = self.done
        self.assertTrue(self.ticket.stage_id.closed)
        self.assertIn("fuser", self.ticket.msp_resolution_note)
        found = self.env["helpdesk.ticket"].search(
            [("msp_resolution_note", "ilike", "spare fuser")]
        )
        self.assertEqual(found, self.ticket)

    def test_short_ticket_closes_without_note_and_threshold_is_configurable(self):
        self._entry(hours=0.5)  # exactly 30 min: not more than 30
        self.ticket.with_user(self.tech).stage_id = self.done
        self.assertEqual(self.ticket.stage_id, self.done)
        self.company.msp_resolution_note_minutes = 10
        self._entry(ticket=self.ticket2, hours=0.25)
        with self.assertRaisesRegex(UserError, "resolution note"):
            self.ticket2.with_user(self.tech).stage_id = self.done
