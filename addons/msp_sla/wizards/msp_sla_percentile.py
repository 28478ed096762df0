# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models

from ..models.msp_sla_clock import KINDS
from ..models.msp_sla_profile import PRIORITIES


class MspSlaPercentile(models.TransientModel):
    """First-response and resolution percentiles per priority over a period,
    computed by PostgreSQL (percentile_cont)."""

    _name = "msp.sla.percentile"
    _description = "SLA Percentiles"

    date_from = fields.Date(
        required=True, default=lambda self: fields.Date.today() - timedelta(days=90)
    )
    date_to = fields.Date(required=True, default=fields.Date.today)
    line_ids = fields.One2many("msp.sla.percentile.line", "wizard_id", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        for wizard in wizards:
            wizard.action_compute()
        return wizards

    def action_compute(self):
        self.ensure_one()
        rows = self.env["msp.sla.clock"]._percentiles(
            fields.Datetime.to_datetime(self.date_from),
            fields.Datetime.to_datetime(self.date_to) + timedelta(days=1),
            self.env.companies.ids,
        )
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create(row) for row in rows
        ]
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }


class MspSlaPercentileLine(models.TransientModel):
    _name = "msp.sla.percentile.line"
    _description = "SLA Percentile Line"
    _order = "priority desc, kind desc"

    wizard_id = fields.Many2one("msp.sla.percentile", required=True, ondelete="cascade")
    priority = fields.Selection(PRIORITIES)
    kind = fields.Selection(KINDS, string="Clock")
    count = fields.Integer(string="Tickets")
    p50 = fields.Float()
    p75 = fields.Float()
    p95 = fields.Float()
    hit_rate = fields.Float(string="Hit Rate (%)")
