# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A project's phases are its milestones (Odoo's own: tasks already point at
one, project copies map them, the portal and sale_project know them), with a
budget, an owner, a window and acceptance criteria."""

from odoo import fields, models


class ProjectMilestone(models.Model):
    _inherit = "project.milestone"
    _order = "msp_sequence, deadline, is_reached desc, name"

    msp_sequence = fields.Integer(string="Sequence", default=10)
    msp_owner_id = fields.Many2one(
        "res.users",
        string="Phase Owner",
        help="Who answers for this phase's budget and deliverable.",
    )
    msp_budget_hours = fields.Float(
        string="Budget (h)",
        tracking=True,
        help="Hours planned for this phase (change orders add to it once approved).",
    )
    msp_date_start = fields.Date(
        string="Start",
        help="First day of the phase (the deadline is its last day). For "
        "the Hypercare phase, the window in which client tickets count "
        "against its budget.",
    )
    msp_acceptance_criteria = fields.Html(
        string="Acceptance Criteria",
        help="What the client signs off to accept this phase's deliverable.",
    )
    msp_is_hypercare = fields.Boolean(
        string="Hypercare Phase",
        help="After go-live: the client's follow-up tickets inside the "
        "window log time against this phase's budget.",
    )
    msp_amount = fields.Monetary(
        string="Milestone Amount",
        currency_field="msp_currency_id",
        help="Billed when the milestone is reached (milestone billing).",
    )
    msp_currency_id = fields.Many2one(related="project_id.currency_id")
