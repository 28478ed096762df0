# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

BILLING_CLASSES = [
    ("endpoint", "Endpoint"),
    ("server", "Server"),
    ("network", "Network device"),
    ("user_license", "User licence"),
    ("other", "Other"),
]


class MspAssetType(models.Model):
    """What kind of thing an asset is, and how billing counts it."""

    _name = "msp.asset.type"
    _description = "Asset Type"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    billing_class = fields.Selection(BILLING_CLASSES, required=True, default="other")
    match_codes = fields.Char(
        string="Source Codes",
        help="Comma-separated device classes the sync connectors report for "
        "this type (NinjaOne nodeClass, Tactical monitoring type, Datto "
        "category...), matched without regard to case.",
    )

    @api.model
    def _by_source_code(self):
        """{lowercase source code: type id} for the sync."""
        codes = {}
        for asset_type in self.search([("match_codes", "!=", False)]):
            for code in asset_type.match_codes.split(","):
                if code.strip():
                    codes.setdefault(code.strip().lower(), asset_type.id)
        return codes
