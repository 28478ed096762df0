# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from .msp_sla_clock import KINDS
from .msp_sla_profile import PRIORITIES


class MspSlaBreach(models.Model):
    """A missed target, kept for the client review and the renewal talk."""

    _name = "msp.sla.breach"
    _description = "SLA Breach"
    _inherit = ["mail.thread"]
    _order = "breached_at desc, id desc"
    _rec_name = "ticket_id"

    clock_id = fields.Many2one(
        "msp.sla.clock",
        string="SLA Clock",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True, readonly=True
    )
    kind = fields.Selection(KINDS, string="Clock", required=True, readonly=True)
    priority = fields.Selection(PRIORITIES, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Client", readonly=True, index=True
    )
    user_id = fields.Many2one("res.users", string="Assignee", readonly=True)
    team_id = fields.Many2one("helpdesk.ticket.team", readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    target_hours = fields.Float(string="Target", readonly=True)
    actual_hours = fields.Float(
        string="Actual", readonly=True, help="Filled when the clock stops."
    )
    overrun_hours = fields.Float(
        string="Overrun", compute="_compute_overrun_hours", store=True
    )
    breached_at = fields.Datetime(readonly=True)
    reason = fields.Text(
        string="Breach Reason",
        tracking=True,
        help="Why the target was missed: for the service review.",
    )

    @api.depends("actual_hours", "target_hours")
    def _compute_overrun_hours(self):
        for breach in self:
            breach.overrun_hours = (
                max(breach.actual_hours - breach.target_hours, 0.0)
                if breach.actual_hours
                else 0.0
            )

    def _record_actual(self):
        for breach in self:
            breach.actual_hours = breach.clock_id.actual_hours
