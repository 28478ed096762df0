# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    msp_sla_profile_id = fields.Many2one(
        "msp.sla.profile",
        string="SLA Profile",
        help="Applies to this client's tickets when no contract sets one.",
    )
