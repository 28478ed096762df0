# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Promise what you can keep: response targets from the P75 of the last 90
days' actual first responses, rounded up to the quarter hour."""

import math
from datetime import timedelta

from odoo import fields, models

from ..models.msp_sla_profile import PRIORITIES

LOOKBACK_DAYS = 90


def round_up_quarter(hours):
    return math.ceil(round(hours * 4, 6)) / 4 if hours else 0.25


class MspSlaSuggest(models.TransientModel):
    _name = "msp.sla.suggest"
    _description = "Suggest SLA Targets"

    profile_id = fields.Many2one("msp.sla.profile", required=True, ondelete="cascade")
    line_ids = fields.One2many("msp.sla.suggest.line", "wizard_id")

    def _compute_lines(self):
        self.ensure_one()
        now = fields.Datetime.now()
        period = (now - timedelta(days=LOOKBACK_DAYS), now, self.env.companies.ids)
        clocks = self.env["msp.sla.clock"]

        def responses(rows):
            return {r["priority"]: r for r in rows if r["kind"] == "response"}

        # the company's history, overridden by this profile's own where it has some
        p75 = responses(clocks._percentiles(*period))
        p75.update(
            responses(clocks._percentiles(*period, profile_ids=self.profile_id.ids))
        )
        lines = []
        for priority, _label in PRIORITIES:
            target = self.profile_id._target_for(priority)
            row = p75.get(priority)
            if not row:
                continue
            lines.append(
                {
                    "priority": priority,
                    "sample": row["count"],
                    "current_hours": target.response_hours if target else 0.0,
                    "p75_hours": row["p75"],
                    "suggested_hours": round_up_quarter(row["p75"]),
                }
            )
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create(line) for line in lines
        ]

    def action_apply(self):
        self.ensure_one()
        for line in self.line_ids.filtered("apply"):
            target = self.profile_id._target_for(line.priority)
            if target:
                target.response_hours = line.suggested_hours
        self.profile_id.message_post(
            body=self.env._(
                "Response targets updated from the last %(days)s days' P75.",
                days=LOOKBACK_DAYS,
            )
        )
        return {"type": "ir.actions.act_window_close"}


class MspSlaSuggestLine(models.TransientModel):
    _name = "msp.sla.suggest.line"
    _description = "Suggested SLA Target"

    wizard_id = fields.Many2one("msp.sla.suggest", required=True, ondelete="cascade")
    priority = fields.Selection(PRIORITIES, readonly=True)
    sample = fields.Integer(string="Responses", readonly=True)
    current_hours = fields.Float(string="Current Target", readonly=True)
    p75_hours = fields.Float(string="P75 (90 days)", readonly=True)
    suggested_hours = fields.Float(string="Suggested")
    apply = fields.Boolean(default=True)
