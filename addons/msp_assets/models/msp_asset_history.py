# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from .msp_asset_type import BILLING_CLASSES

# what the billing count of an asset depends on
BILLING_FIELDS = frozenset(
    {
        "client_id",
        "company_id",
        "type_id",
        "sku_part_number",
        "state",
        "stale",
        "active",
    }
)
COUNT_STATUS = [
    ("counted", "Counted"),
    ("stale", "Active but stale"),
    ("none", "Not counted"),
]


class MspAssetHistory(models.Model):
    """What an asset counted for billing before a change: one row per change
    of its client, class, SKU or counted status, with the day it took
    effect. The inventory as it was on a past day is each asset's values
    before its first change after that day (its current values without
    one), from the day it was installed (or recorded). Written by the
    asset itself; nobody edits it."""

    _name = "msp.asset.history"
    _description = "Asset Billing History"
    _order = "date desc, id desc"

    asset_id = fields.Many2one(
        "msp.asset", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    date = fields.Date(
        required=True, index=True, help="The day the change took effect."
    )
    client_id = fields.Many2one("res.partner", string="Client Before")
    billing_class = fields.Selection(BILLING_CLASSES, string="Class Before")
    sku_part_number = fields.Char(string="SKU Before")
    status = fields.Selection(COUNT_STATUS, string="Status Before", required=True)
