# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    msp_asset_id = fields.Many2one(
        "msp.asset",
        string="Asset",
        index="btree_not_null",
        domain="[('client_id', '=', commercial_partner_id)]",
        help="The device, licence or mailbox the ticket is about.",
    )
    msp_asset_type_id = fields.Many2one(
        related="msp_asset_id.type_id", string="Asset Type", store=True
    )
