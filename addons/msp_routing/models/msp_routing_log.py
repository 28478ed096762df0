# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class MspRoutingLog(models.Model):
    """The audit trail: which rule did what to a ticket, and when."""

    _name = "msp.routing.log"
    _description = "Routing Log"
    _order = "date desc, id desc"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    event = fields.Selection(
        [
            ("intake", "Intake"),
            ("escalation", "Escalation"),
            ("claim", "Claimed"),
            ("reassign", "Reassigned"),
        ],
        required=True,
    )
    rule_id = fields.Many2one("msp.routing.rule", ondelete="set null")
    escalation_id = fields.Many2one("msp.escalation.rule", ondelete="set null")
    user_id = fields.Many2one(
        "res.users", string="By", default=lambda self: self.env.user
    )
    changes = fields.Text(help="What the event changed on the ticket.")
