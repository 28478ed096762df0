# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Turn a ticket into a project (from a template, or blank) or into a task
of an existing project, without losing its history."""

from markupsafe import Markup, escape
from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.msp_base.models.msp_system_fields import system_write
from odoo.addons.project_template.models.project import TASK_DEFAULT_COPY_CONTEXT_KEY

MODES = [
    ("template", "New project from a template"),
    ("blank", "New blank project"),
    ("task", "New task in an existing project"),
]

# Time of these kinds was logged under the managed-services contract (or
# T&M on the ticket): once moved into the project it is project delivery
# (never on the MRR run; billed by the project's billing shape). Warranty
# and internal time stays what it is: explicitly not billed.
RETYPED_KINDS = ("included", "billable")


class MspTicketConvert(models.TransientModel):
    _name = "msp.ticket.convert"
    _description = "Convert a Ticket to a Project"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="ticket_id.company_id")
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        compute="_compute_partner_id",
        help="The ticket's client: the project's customer.",
    )
    mode = fields.Selection(
        MODES, required=True, default=lambda self: self._default_mode()
    )
    template_id = fields.Many2one(
        "project.project",
        domain="[('is_template', '=', True), "
        "('company_id', 'in', (company_id, False))]",
        default=lambda self: self._default_template(),
    )
    project_name = fields.Char(
        compute="_compute_project_name",
        store=True,
        readonly=False,
    )
    project_manager_id = fields.Many2one(
        "res.users",
        default=lambda self: self._default_project_manager(),
        domain="[('share', '=', False)]",
        help="Who runs the project. Defaults to you if you are a Project "
        "Manager; a dispatcher picks one (or leaves it for the project "
        "managers to take).",
    )
    project_id = fields.Many2one(
        "project.project",
        domain="[('is_template', '=', False), "
        "('company_id', 'in', (company_id, False))]",
        help="The existing project the ticket becomes a task of.",
    )
    ticket_action = fields.Selection(
        [("close", "Close the ticket"), ("keep", "Keep the ticket open")],
        string="Afterwards",
        required=True,
        default="close",
        help="Closed: the work goes on in the project (the ticket, its chatter "
        "and SLA record stay readable and linked). Kept: the ticket stays "
        "open beside the project.",
    )
    time_action = fields.Selection(
        [
            ("move", "Move it to the project"),
            ("keep", "Keep it where it is"),
        ],
        string="Logged Time",
        help="Time already logged on the ticket: moved, it counts on the "
        "project (as project delivery); kept, it stays on the ticket's "
        "current project and billing. Invoiced and locked time never moves.",
    )
    total_hours = fields.Float(
        string="Time Logged",
        compute="_compute_hours",
        help="Time logged on the ticket so far.",
    )
    movable_hours = fields.Float(
        string="Of Which Movable",
        compute="_compute_hours",
        help="The part of the logged time that may move to the project "
        "(not invoiced, not in a locked period).",
    )
    stay_hours = fields.Float(
        string="Of Which Stays",
        compute="_compute_hours",
        help="Invoiced or locked time: it stays on the ticket whatever you choose.",
    )
    stay_html = fields.Html(
        string="Entries That Stay", compute="_compute_hours", sanitize=False
    )
    state = fields.Selection(
        [("draft", "Choose"), ("done", "Converted")], default="draft", readonly=True
    )
    summary = fields.Html(readonly=True, sanitize=False)
    result_project_id = fields.Many2one("project.project", readonly=True)
    result_task_id = fields.Many2one("project.task", readonly=True)

    # ------------------------------------------------------------ defaults

    @api.model
    def _default_template(self):
        return self.env["project.project"].search(
            [
                ("is_template", "=", True),
                ("company_id", "in", (self.env.company.id, False)),
            ],
            order="id",
            limit=1,
        )

    @api.model
    def _default_project_manager(self):
        user = self.env.user
        if user.has_group("msp_ticket_project.group_msp_project_manager"):
            return user
        return self.env["res.users"]

    @api.model
    def _default_mode(self):
        return "template" if self._default_template() else "blank"

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        ticket = self.env["helpdesk.ticket"].browse(values.get("ticket_id"))
        if ticket:
            ticket._msp_check_project_decider()
        return values

    @api.depends("ticket_id")
    def _compute_partner_id(self):
        for wizard in self:
            wizard.partner_id = wizard.ticket_id.commercial_partner_id

    @api.depends("ticket_id")
    def _compute_project_name(self):
        for wizard in self:
            wizard.project_name = wizard.ticket_id.name

    def _lines(self):
        """The ticket's time entries and why some must stay:
        ``(entries, {entry id: reason})``. Read as superuser: the wizard is
        for dispatchers and project managers (checked), who place everyone's
        time on the ticket."""
        self.ensure_one()
        self.ticket_id._msp_check_project_decider()
        lines = self.ticket_id.sudo().timesheet_ids
        return lines, lines._msp_convert_stay_reasons()

    @api.depends("ticket_id")
    def _compute_hours(self):
        for wizard in self:
            if not wizard.ticket_id:
                wizard.total_hours = wizard.movable_hours = wizard.stay_hours = 0.0
                wizard.stay_html = False
                continue
            lines, reasons = wizard._lines()
            stay = lines.filtered(lambda line, r=reasons: line.id in r)
            wizard.total_hours = sum(lines.mapped("unit_amount"))
            wizard.stay_hours = sum(stay.mapped("unit_amount"))
            wizard.movable_hours = wizard.total_hours - wizard.stay_hours
            wizard.stay_html = wizard._stay_list(stay, reasons)

    def _stay_list(self, stay, reasons):
        if not stay:
            return False
        items = Markup("").join(
            Markup("<li>%s</li>")
            % self.env._(
                "%(date)s %(user)s %(hours)s h: %(name)s (%(reason)s)",
                date=line.date,
                user=line.user_id.name or "",
                hours=round(line.unit_amount, 2),
                name=line.name or "/",
                reason=reasons[line.id],
            )
            for line in stay.sorted(lambda line: (line.date, line.id))
        )
        return Markup("<ul>%s</ul>") % items

    # ------------------------------------------------------------ convert

    def _check_convert(self, lines, reasons):
        ticket = self.ticket_id
        ticket._msp_check_project_decider()
        ticket.check_access("write")
        if self.state == "done":
            raise UserError(self.env._("This conversion is already done."))
        if ticket.msp_project_link == "origin":
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s was already converted (%(project)s).",
                    ticket=ticket.display_name,
                    project=ticket.project_id.display_name,
                )
            )
        movable = lines.filtered(lambda line: line.id not in reasons)
        if movable and not self.time_action:
            raise UserError(
                self.env._(
                    "The ticket has %(hours)s h of time that could move: choose "
                    "whether it moves to the project or stays.",
                    hours=round(sum(movable.mapped("unit_amount")), 2),
                )
            )
        if self.mode == "template" and not self.template_id:
            raise UserError(self.env._("Choose the project template."))
        if self.mode == "template" and not self.template_id.is_template:
            raise UserError(
                self.env._(
                    "%(project)s is not a project template.",
                    project=self.template_id.display_name,
                )
            )
        if self.mode == "task":
            if not self.project_id:
                raise UserError(self.env._("Choose the project the task goes in."))
            if self.project_id.is_template:
                raise UserError(
                    self.env._("A ticket cannot become a task of a template.")
                )
            # the project must be one the user may see
            self.project_id.check_access("read")
        elif not (self.project_name or "").strip():
            raise UserError(self.env._("Give the project a name."))
        for project in (self.template_id, self.project_id):
            if (
                project
                and project.company_id
                and ticket.company_id
                and project.company_id != ticket.company_id
            ):
                raise UserError(
                    self.env._(
                        "%(project)s belongs to another company than the ticket.",
                        project=project.display_name,
                    )
                )

    def _project_values(self):
        ticket = self.ticket_id
        client = ticket.commercial_partner_id
        values = {
            "name": self.project_name.strip(),
            "partner_id": client.id,
            "company_id": ticket.company_id.id,
            "user_id": self.project_manager_id.id,
            "description": ticket.description,
            "msp_state": "proposed",
            "msp_origin_ticket_id": ticket.id,
            "allow_timesheets": True,
            "active": True,
            "alias_name": False,
        }
        if client:
            # the client's followers (copied from the ticket) see it in the
            # portal; internal users as usual
            values["privacy_visibility"] = "portal"
        return values

    def _create_project(self):
        """The new project (as superuser: dispatchers convert tickets but do
        not manage projects; the caller checked the user's role)."""
        values = self._project_values()
        if self.mode == "template":
            template = self.template_id.sudo()
            project = template.with_context(
                **{TASK_DEFAULT_COPY_CONTEXT_KEY: True}
            ).copy(default=values)
        else:
            project = self.env["project.project"].sudo().create(values)
        project_type = self.env.ref("msp_time.work_type_project", False)
        if project_type and not project.msp_work_type_id:
            project.msp_work_type_id = project_type
        return project

    def _create_task(self):
        ticket = self.ticket_id
        return (
            self.env["project.task"]
            .sudo()
            .create(
                {
                    "name": ticket.name,
                    "project_id": self.project_id.id,
                    "partner_id": ticket.partner_id.id
                    or ticket.commercial_partner_id.id,
                    "description": ticket.description,
                    "allocated_hours": ticket.msp_estimate_hours,
                    "company_id": self.project_id.company_id.id or ticket.company_id.id,
                    "user_ids": [Command.set(ticket.user_id.ids)],
                }
            )
        )

    def _move_time(self, lines, project, task):
        """Move ``lines`` (none invoiced or locked) to the project/task;
        contract and T&M time becomes project delivery.

        The entries keep their ticket, hence their client, billed hours and
        (for the others) work type: those are protected from recomputation
        (each would look the client's contract up again, entry by entry)."""
        if not lines:
            return
        values = {"project_id": project.id}
        if task or lines.task_id:
            values["task_id"] = task.id or False
        project_type = self.env.ref("msp_time.work_type_project", False)
        retyped = lines.filtered(lambda line: line.msp_work_kind in RETYPED_KINDS)
        if not project_type:
            retyped = retyped.browse()
        Line = self.env["account.analytic.line"]
        unchanged = [
            Line._fields[name]
            for name in (
                "msp_client_id",
                "msp_billed_hours",
                "msp_rounding_hours",
                "msp_work_type_id",
                "msp_work_type_reason",
            )
        ]
        with self.env.protecting(unchanged, lines):
            if retyped:
                with system_write():
                    retyped.write(
                        dict(
                            values,
                            msp_work_type_id=project_type.id,
                            msp_work_type_reason=self.env._(
                                "Moved to project %(project)s with its ticket",
                                project=project.name,
                            ),
                        )
                    )
            if lines - retyped:
                (lines - retyped).write(values)

    def _copy_attachments(self, target):
        ticket = self.ticket_id
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", ticket._name), ("res_id", "=", ticket.id)]
        )
        copies = self.env["ir.attachment"]
        for attachment in attachments.sudo():
            copies |= attachment.copy({"res_model": target._name, "res_id": target.id})
        return copies

    def action_convert(self):
        self.ensure_one()
        lines, reasons = self._lines()
        self._check_convert(lines, reasons)
        ticket = self.ticket_id
        stay = lines.filtered(lambda line: line.id in reasons)
        movable = lines - stay
        task = self.env["project.task"]
        if self.mode == "task":
            project = self.project_id.sudo()
            task = self._create_task()
        else:
            project = self._create_project()
        target = task or project
        ticket._msp_link_to_project(project.with_env(self.env), "origin")
        if task:
            ticket.task_id = task.with_env(self.env)
        moved = movable if self.time_action == "move" else lines.browse()
        kept = movable - moved
        self._move_time(moved, project, task)
        copies = self._copy_attachments(target)
        followers = ticket.message_partner_ids
        if followers:
            target.message_subscribe(partner_ids=followers.ids)
            if task:
                # the project's page lists its tasks for the client too
                project.message_subscribe(
                    partner_ids=(followers & ticket.partner_id).ids
                )
        summary = self._summary(project, task, moved, kept, stay, reasons, copies)
        self._post_notes(project, task, summary)
        if self.ticket_action == "close" and not ticket.closed:
            self._close_ticket(project, task)
        self.write(
            {
                "state": "done",
                "summary": summary,
                "result_project_id": project.id,
                "result_task_id": task.id,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Converted"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _close_ticket(self, project, task):
        ticket = self.ticket_id
        stage = ticket._msp_closing_stage()
        if not stage:
            raise UserError(
                self.env._(
                    "No closed stage for team %(team)s.",
                    team=ticket.team_id.display_name,
                )
            )
        values = {"stage_id": stage.id}
        if not (ticket.msp_resolution_done or "").strip():
            values["msp_resolution_done"] = self.env._(
                "Converted to %(what)s %(name)s: the work goes on there.",
                what=self.env._("task") if task else self.env._("project"),
                name=(task or project).display_name,
            )
        ticket.write(values)

    def _summary(self, project, task, moved, kept, stay, reasons, copies):
        env = self.env

        def hours(lines):
            return round(sum(lines.mapped("unit_amount")), 2)

        parts = [
            Markup("<p>%s</p>")
            % env._(
                "Ticket %(ticket)s converted to %(what)s %(name)s.",
                ticket=self.ticket_id.display_name,
                what=env._("task") if task else env._("project"),
                name=(task or project).display_name,
            ),
            Markup("<ul>"),
        ]
        if moved:
            parts.append(
                Markup("<li>%s</li>")
                % env._(
                    "%(count)s time entries (%(hours)s h) moved to the project.",
                    count=len(moved),
                    hours=hours(moved),
                )
            )
        if kept:
            parts.append(
                Markup("<li>%s</li>")
                % env._(
                    "%(count)s time entries (%(hours)s h) kept where they were "
                    "(your choice).",
                    count=len(kept),
                    hours=hours(kept),
                )
            )
        if stay:
            parts.append(
                Markup("<li>%s%s</li>")
                % (
                    env._(
                        "%(count)s time entries (%(hours)s h) stayed: invoiced "
                        "or locked time never moves:",
                        count=len(stay),
                        hours=hours(stay),
                    ),
                    self._stay_list(stay, reasons),
                )
            )
        if not (moved or kept or stay):
            parts.append(Markup("<li>%s</li>") % env._("No time was logged."))
        parts.append(
            Markup("<li>%s</li>")
            % env._("%(count)s attachment(s) copied.", count=len(copies))
        )
        parts.append(Markup("</ul>"))
        return Markup("").join(parts)

    def _post_notes(self, project, task, summary):
        ticket = self.ticket_id
        ticket.message_post(
            body=summary, message_type="comment", subtype_xmlid="mail.mt_note"
        )
        sentence = escape(
            self.env._(
                "Converted from ticket %(ticket)s (its chatter, time and SLA "
                "record stay there)."
            )
        ) % {"ticket": ticket._get_html_link()}
        body = Markup("<p>%s</p>%s") % (sentence, ticket.description or "")
        author = self.env.user.partner_id.id
        for record in filter(None, (project, task)):
            record.message_post(
                body=body,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                author_id=author,
            )

    def action_open_result(self):
        self.ensure_one()
        record = self.result_task_id or self.result_project_id
        if not record:
            raise UserError(self.env._("Nothing was converted yet."))
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "target": "current",
        }
