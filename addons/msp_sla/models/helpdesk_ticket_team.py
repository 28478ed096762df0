# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    msp_sla_profile_id = fields.Many2one(
        "msp.sla.profile",
        string="Default SLA Profile",
        help="For clients with neither a contract profile nor a profile of their own.",
    )
