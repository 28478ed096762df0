# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicketCategory(models.Model):
    _inherit = "helpdesk.ticket.category"

    msp_work_type_id = fields.Many2one(
        "msp.work.type",
        string="Default Work Type",
        help="Time on tickets of this category defaults to this work type.",
    )
