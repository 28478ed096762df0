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
    msp_sla_resume_on_reply = fields.Boolean(
        string="Client Reply Resumes",
        default=True,
        help="In a stage that pauses the SLA: a reply from the client (e-mail "
        "or portal message) moves the ticket out of this stage and the clocks "
        "run again.",
    )
    msp_sla_resume_stage_id = fields.Many2one(
        "helpdesk.ticket.stage",
        string="On Client Reply, Move To",
        domain="[('msp_sla_pause', '=', False), ('closed', '=', False)]",
        help="Where a client reply moves the ticket. Empty: back to the stage "
        "it came from.",
    )
