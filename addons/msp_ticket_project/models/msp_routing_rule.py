# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Routing rule action: link the new ticket to a project as a follow-up
(the ticket is linked through ``helpdesk.ticket._msp_link_to_project`` once
created, so hypercare applies)."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class MspRoutingRule(models.Model):
    _inherit = "msp.routing.rule"

    msp_project_id = fields.Many2one(
        "project.project",
        string="Link to Project as Follow-up",
        domain="[('is_template', '=', False), "
        "('company_id', 'in', (company_id, False))]",
        ondelete="set null",
        tracking=True,
        help="Tickets this rule matches are linked to this project as "
        "follow-ups (e.g. a client's tickets during a migration's "
        "hypercare).",
    )

    @api.constrains("msp_project_id", "company_id")
    def _check_msp_project_id(self):
        for rule in self:
            project = rule.msp_project_id
            if not project:
                continue
            if project.company_id and project.company_id != rule.company_id:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: project %(project)s belongs to another "
                        "company.",
                        rule=rule.name,
                        project=project.name,
                    )
                )
            if project.is_template:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: %(project)s is a project template, not "
                        "a project tickets can follow up.",
                        rule=rule.name,
                        project=project.name,
                    )
                )
