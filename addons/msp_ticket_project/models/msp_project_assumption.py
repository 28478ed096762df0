# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the project assumes: what is in scope and what is not (kickoff
gate: at least one of each)."""

from odoo import fields, models

ASSUMPTION_KINDS = [
    ("in_scope", "In Scope"),
    ("out_of_scope", "Out of Scope"),
]


class MspProjectAssumption(models.Model):
    _name = "msp.project.assumption"
    _description = "Project Assumption"
    _order = "project_id, kind, sequence, id"

    project_id = fields.Many2one(
        "project.project",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="project_id.company_id", store=True, index=True
    )
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        ASSUMPTION_KINDS,
        required=True,
        default="in_scope",
        help="In scope: part of the fixed work. Out of scope: anything "
        "asked for here is a change order.",
    )
    name = fields.Text(string="Assumption", required=True)
