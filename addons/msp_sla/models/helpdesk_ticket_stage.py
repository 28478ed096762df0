# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    msp_sla_pause = fields.Boolean(
        string="Pauses SLA (waiting on client)",
        help="While a ticket sits in this stage its SLA clocks are paused; "
        "the deadlines move by the paused working time.",
    )
    msp_sla_responding = fields.Boolean(
        string="Counts as First Response",
        help="Moving a ticket into this stage stops its first-response clock.",
    )
