# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class MspTicketLinkProject(models.TransientModel):
    """Link tickets to a project as follow-ups ("the server needs replacing"
    found during a ticket, a bug after go-live)."""

    _name = "msp.ticket.link.project"
    _description = "Link Tickets to a Project"

    ticket_ids = fields.Many2many("helpdesk.ticket", required=True)
    client_id = fields.Many2one(
        "res.partner",
        compute="_compute_allowed_project_ids",
        help="The tickets' client: only its projects are offered.",
    )
    allowed_project_ids = fields.Many2many(
        "project.project", compute="_compute_allowed_project_ids"
    )
    project_id = fields.Many2one(
        "project.project",
        required=True,
        domain="[('id', 'in', allowed_project_ids)]",
        help="A client project of the tickets' client (converted from a "
        "ticket or created from a template; not cancelled).",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        tickets = self.env["helpdesk.ticket"].browse(
            self._msp_ids(values.get("ticket_ids"))
        )
        if tickets:
            tickets._msp_check_project_decider()
            if "project_id" in fields_list and not values.get("project_id"):
                projects = self._msp_projects_for(tickets)
                if len(projects) == 1:
                    values["project_id"] = projects.id
        return values

    @api.model
    def _msp_ids(self, value):
        """The ids of an x2many default: plain ids (the context's
        ``default_ticket_ids``) or commands (the web client's onchange)."""
        ids = []
        for item in value or []:
            if isinstance(item, int):
                ids.append(item)
            elif isinstance(item, (list, tuple)) and item:
                if item[0] == Command.SET:
                    ids.extend(item[2])
                elif item[0] == Command.LINK:
                    ids.append(item[1])
        return ids

    @api.model
    def _msp_clients(self, tickets):
        return tickets.mapped("commercial_partner_id")

    @api.model
    def _msp_projects_for(self, tickets):
        """The client projects the tickets may follow up: those of the
        tickets' client (any client's when the tickets have none)."""
        domain = [
            ("is_template", "=", False),
            ("msp_state", "not in", (False, "cancelled")),
        ]
        clients = self._msp_clients(tickets)
        if clients:
            domain.append(("partner_id", "child_of", clients.ids))
        return self.env["project.project"].search(domain)

    @api.depends("ticket_ids")
    def _compute_allowed_project_ids(self):
        for wizard in self:
            clients = self._msp_clients(wizard.ticket_ids)
            wizard.client_id = clients if len(clients) == 1 else False
            wizard.allowed_project_ids = self._msp_projects_for(wizard.ticket_ids)

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
        if self.project_id not in self._msp_projects_for(tickets):
            # the dialog offers only these; over RPC too
            raise UserError(
                self.env._(
                    "%(project)s is not an open project of these tickets' client.",
                    project=self.project_id.display_name,
                )
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
