# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    msp_project_threshold_hours = fields.Float(
        string="Project Threshold (h)",
        help="A ticket of this team estimated above this many hours is "
        "flagged 'Should be a project'. 0: the company's threshold.",
    )
    msp_company_project_threshold_hours = fields.Float(
        string="Company's Project Threshold (h)",
        compute="_compute_msp_company_project_threshold_hours",
        help="The threshold a team without its own uses: its company's.",
    )

    @api.depends("company_id.msp_project_threshold_hours")
    @api.depends_context("company")
    def _compute_msp_company_project_threshold_hours(self):
        for team in self:
            company = team.company_id or self.env.company
            team.msp_company_project_threshold_hours = (
                company.sudo().msp_project_threshold_hours
            )

    @api.constrains("msp_project_threshold_hours")
    def _check_msp_project_threshold_hours(self):
        for team in self:
            if team.msp_project_threshold_hours < 0:
                raise ValidationError(
                    self.env._(
                        "Team %(team)s: the project threshold cannot be "
                        "negative (0 uses the company's).",
                        team=team.name,
                    )
                )

    def write(self, vals):
        result = super().write(vals)
        if "msp_project_threshold_hours" in vals:
            self.env["helpdesk.ticket"]._msp_resync_project_flags(
                [("team_id", "in", self.ids)]
            )
        return result
