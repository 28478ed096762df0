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
