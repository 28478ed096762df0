# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""*Start timer* is offered on open tickets only: a closed ticket takes no
new timer from the form, the list or the board."""

from lxml import etree
from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval


@tagged("post_install", "-at_install")
class TestTimerVisibility(TransactionCase):
    def _start_buttons(self, view_type):
        Ticket = self.env["helpdesk.ticket"]
        arch = Ticket.get_views([(False, view_type)])["views"][view_type]["arch"]
        tree = etree.fromstring(arch)
        return tree.xpath("//*[@name='msp_action_start_timer']")

    def test_start_timer_hidden_on_closed_tickets(self):
        values = {"show_time_control": "start", "allow_timesheet": True}
        for view_type in ("form", "list", "kanban"):
            buttons = self._start_buttons(view_type)
            self.assertTrue(buttons, f"no Start timer on the {view_type}")
            for button in buttons:
                invisible = button.get("invisible")
                self.assertFalse(
                    safe_eval(invisible, dict(values, closed=False)),
                    f"{view_type}: Start timer hidden on an open ticket",
                )
                self.assertTrue(
                    safe_eval(invisible, dict(values, closed=True)),
                    f"{view_type}: Start timer shown on a closed ticket",
                )
