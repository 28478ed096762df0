# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

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
