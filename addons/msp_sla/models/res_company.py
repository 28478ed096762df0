# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    msp_sla_profile_id = fields.Many2one(
        "msp.sla.profile",
        string="Default SLA Profile",
        help="The last resort: tickets with no contract, client or team profile.",
    )
