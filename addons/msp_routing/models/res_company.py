# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    msp_catchall_team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Catch-all Team",
        domain="[('company_id', 'in', (id, False))]",
        help="The team of a new ticket when no routing rule gave it one and "
        "its owner has no team (any channel: phone, e-mail, portal, alerts, "
        "created by hand). Give it a default project so phone calls and "
        "time can be booked on its tickets.",
    )

    @api.constrains("msp_catchall_team_id")
    def _check_msp_catchall_team(self):
        for company in self:
            team = company.msp_catchall_team_id
            if team.company_id and team.company_id != company:
                raise ValidationError(
                    self.env._(
                        "The catch-all team %(team)s belongs to another company.",
                        team=team.name,
                    )
                )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    msp_catchall_team_id = fields.Many2one(
        related="company_id.msp_catchall_team_id", readonly=False
    )
