# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    msp_project_threshold_hours = fields.Float(
        related="company_id.msp_project_threshold_hours", readonly=False
    )
