# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ProjectProject(models.Model):
    _inherit = "project.project"

    msp_work_type_id = fields.Many2one(
        "msp.work.type",
        string="Default Work Type",
        help="Time on this project (its tickets and tasks) defaults to this "
        "work type when the ticket's category sets none.",
    )
