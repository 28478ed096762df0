# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError


class MspTicketLinkProject(models.TransientModel):
    """Link tickets to a project as follow-ups ("the server needs replacing"
    found during a ticket, a bug after go-live)."""

    _name = "msp.ticket.link.project"
    _description = "Link Tickets to a Project"

    ticket_ids = fields.Many2many("helpdesk.ticket", required=True)
    project_id = fields.Many2one(
        "project.project",
        required=True,
        domain="[('is_template', '=', False), ('msp_state', '!=', False)]",
        help="A client project (converted from a ticket or created from a template).",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        tickets = self.env["helpdesk.ticket"].browse(values.get("ticket_ids") or [])
        if tickets:
            tickets._msp_check_project_decider()
        return values

    def action_link(self):
        self.ensure_one()
        tickets = self.ticket_ids
        tickets._msp_check_project_decider()
        tickets.check_access("write")
        self.project_id.check_access("read")
        if self.project_id.is_template:
            raise UserError(
                self.env._("A project template cannot have follow-up tickets.")
            )
        others = tickets.filtered(
            lambda ticket: (
                ticket.company_id
                and self.project_id.company_id
                and ticket.company_id != self.project_id.company_id
            )
        )
        if others:
            raise UserError(
                self.env._(
                    "%(tickets)s belong(s) to another company than project "
                    "%(project)s.",
                    tickets=", ".join(others.mapped("display_name")),
                    project=self.project_id.display_name,
                )
            )
        converted = tickets.filtered(lambda ticket: ticket.msp_project_link == "origin")
        if converted:
            raise UserError(
                self.env._(
                    "%(tickets)s was converted to a project: it cannot be "
                    "another project's follow-up.",
                    tickets=", ".join(converted.mapped("display_name")),
                )
            )
        tickets._msp_link_to_project(self.project_id, "follow_up")
        return {"type": "ir.actions.act_window_close"}
