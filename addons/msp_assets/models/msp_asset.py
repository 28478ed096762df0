# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class MspAsset(models.Model):
    """One thing the MSP is responsible for at a client: a device, a licence,
    a mailbox. The assets issue adds types, sync sources and snapshots."""

    _name = "msp.asset"
    _description = "Managed Asset"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "client_id, name"

    name = fields.Char(
        string="Name / Hostname", required=True, tracking=True, index="trigram"
    )
    client_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
        help="The client company that owns the asset.",
    )
    type_id = fields.Many2one("msp.asset.type", tracking=True, index=True)
    serial_number = fields.Char(tracking=True, index=True, copy=False)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    active = fields.Boolean(default=True, tracking=True)
    note = fields.Html(string="Notes")
