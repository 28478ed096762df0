# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Demo SLA history: the demo tickets' clocks as if the suite had run them."""

import random
from datetime import timedelta

from odoo import api, models
from odoo.exceptions import AccessError


class MspDemo(models.AbstractModel):
    _inherit = "msp.demo"

    @api.model
    def generate_sla_history(self, seed=2026):
        """Clocks for the closed demo tickets: a first response 5 minutes to
        6 hours after creation, resolution at closing; breach records where
        targets were missed (no notifications for history)."""
        if not self.env.is_superuser():
            raise AccessError(self.env._("Only the system generates demo data."))
        rng = random.Random(seed)
        data = self.env["ir.model.data"].search(
            [("module", "=", "msp_base"), ("model", "=", "helpdesk.ticket")]
        )
        tickets = (
            self.env["helpdesk.ticket"]
            .browse(data.mapped("res_id"))
            .exists()
            .with_context(msp_sla_quiet=True)
        )
        closed = tickets.filtered(
            lambda t: t.stage_id.closed and t.closed_date and not t.msp_sla_clock_ids
        )
        for ticket in closed.with_context(msp_sla_history=True):
            clocks = ticket._msp_sla_start_clocks()
            answered = ticket.create_date + timedelta(minutes=rng.uniform(5, 360))
            response = clocks.filtered(lambda c: c.kind == "response")
            response._stop(min(answered, ticket.closed_date))
            (clocks - response)._stop(ticket.closed_date)
        self.env["helpdesk.ticket"].browse(tickets.ids)._msp_sla_sync_status()
