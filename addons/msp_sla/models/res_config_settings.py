# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    msp_sla_profile_id = fields.Many2one(
        related="company_id.msp_sla_profile_id", readonly=False
    )
