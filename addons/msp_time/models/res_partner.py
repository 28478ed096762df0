# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    msp_work_type_id = fields.Many2one(
        "msp.work.type",
        string="Default Work Type",
        help="For this client's time when neither the ticket category nor "
        "the project sets one (e.g. Billable for a client without a managed "
        "services agreement).",
    )
    msp_billing_increment_minutes = fields.Integer(
        string="Billing Increment (min)",
        help="Overrides the company's increment for this client (0: the company's).",
    )
    msp_billing_minimum_minutes = fields.Integer(
        string="Minimum Charge (min)",
        help="Overrides the company's minimum charge per entry for this "
        "client (0: the company's).",
    )
