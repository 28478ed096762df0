# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    msp_rr_last_user_id = fields.Many2one(
        "res.users",
        string="Last Round-Robin Assignee",
        readonly=True,
        copy=False,
    )
