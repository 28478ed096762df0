# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    msp_project_threshold_hours = fields.Float(
        string="Project Threshold (h)",
        default=8.0,
        help="A ticket estimated above this many hours is flagged 'Should be "
        "a project' (a team may set its own threshold).",
    )

    @api.constrains("msp_project_threshold_hours")
    def _check_msp_project_threshold_hours(self):
        for company in self:
            if company.msp_project_threshold_hours <= 0:
                raise ValidationError(
                    self.env._(
                        "The project threshold must be more than 0 hours "
                        "(%(company)s).",
                        company=company.name,
                    )
                )

    def write(self, vals):
        result = super().write(vals)
        if "msp_project_threshold_hours" in vals:
            self.env["helpdesk.ticket"]._msp_resync_project_flags(
                [("company_id", "in", self.ids)]
            )
        return result
