# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    msp_asset_age_years = fields.Integer(
        string="Device Age Limit (years)",
        default=5,
        help="Devices bought (or installed) longer ago are listed for replacement.",
    )
    msp_asset_not_seen_days = fields.Integer(
        string="Not Seen Limit (days)",
        default=30,
        help="Devices not seen online for longer are listed for follow-up.",
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    msp_asset_age_years = fields.Integer(
        related="company_id.msp_asset_age_years", readonly=False
    )
    msp_asset_not_seen_days = fields.Integer(
        related="company_id.msp_asset_not_seen_days", readonly=False
    )
