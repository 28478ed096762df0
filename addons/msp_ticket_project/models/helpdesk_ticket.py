# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

PROJECT_LINKS = [
    ("origin", "Converted to project"),
    ("follow_up", "Project follow-up"),
    ("hypercare", "Hypercare"),
]


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    msp_estimate_hours = fields.Float(
        string="Estimate (h)",
        tracking=True,
        help="How long the work will take. Above the team's (else the "
        "company's) project threshold the ticket is flagged 'Should be a "
        "project'.",
    )
    msp_project_link = fields.Selection(
        PROJECT_LINKS,
        string="Project Link",
        readonly=True,
        copy=False,
        tracking=True,
        help="How this ticket relates to its project: the ticket it was "
        "converted from, a follow-up, or a follow-up inside the project's "
        "hypercare window (its time counts against the hypercare budget).",
    )

    def _msp_link_to_project(self, project, kind="follow_up"):
        """Link these tickets to ``project`` as ``kind``; the one place every
        path (button, wizard, routing rule) goes through, so hypercare and
        notes can hook here. Returns the tickets."""
        self.write({"project_id": project.id, "msp_project_link": kind})
        return self
