# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    msp_project_id = fields.Many2one(
        "project.project",
        string="Project",
        index="btree_not_null",
        copy=False,
        ondelete="restrict",
        help="The client project this invoice line bills (project billing, "
        "change orders): project revenue and margin read it.",
    )

    msp_change_order_id = fields.Many2one(
        "msp.change.order",
        string="Change Order",
        index="btree_not_null",
        copy=False,
        ondelete="set null",
        readonly=True,
        help="The approved change order this line bills (one line per change order).",
    )

    _sql_constraints = [
        (
            "msp_change_order_unique",
            "unique (msp_change_order_id)",
            "A change order is billed by one invoice line only.",
        )
    ]
