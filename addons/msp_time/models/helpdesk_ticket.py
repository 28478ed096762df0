# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from .account_analytic_line import is_blank_name

RESOLUTION_FIELDS = (
    "msp_resolution_requested",
    "msp_resolution_done",
    "msp_resolution_changed",
    "msp_resolution_followup",
)


class MspTimerMixin(models.AbstractModel):
    """One-click timer on a record the OCA time-control mixin already
    serves (tickets, tasks): start stops the user's other timer; stop opens
    the entry to finish its description."""

    _name = "msp.timer.mixin"
    _description = "One-click timer"

    msp_timer_user_ids = fields.Many2many(
        "res.users",
        string="Timers Running",
        compute="_compute_msp_timer_user_ids",
        help="Who has a timer running on this record right now.",
    )

    def _compute_msp_timer_user_ids(self):
        related = self._relation_with_timesheet_line()
        groups = (
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                [(related, "in", self.ids), ("msp_timer_running", "=", True)],
                [related],
                ["user_id:array_agg"],
            )
        )
        users = {record.id: user_ids for record, user_ids in groups}
        for record in self:
            record.msp_timer_user_ids = [
                fields.Command.set(users.get(record._origin.id, []))
            ]

    def _msp_timer_values(self):
        raise NotImplementedError

    @api.model
    def _msp_drop_blank_timesheets(self, vals):
        """Rows of the Timesheets tab with neither duration nor description
        (the empty row a Tab past the last column adds) are not saved."""
        commands = vals.get("timesheet_ids")
        if not isinstance(commands, list | tuple):
            return vals
        kept = [
            command
            for command in commands
            if not (
                isinstance(command, list | tuple)
                and command[0] == fields.Command.CREATE
                and isinstance(command[2], dict)
                and not command[2].get("unit_amount")
                and is_blank_name(command[2].get("name"))
            )
        ]
        if len(kept) == len(commands):
            return vals
        return dict(vals, timesheet_ids=kept)

    @api.model_create_multi
    def create(self, vals_list):
        return super().create(
            [self._msp_drop_blank_timesheets(vals) for vals in vals_list]
        )

    def write(self, vals):
        return super().write(self._msp_drop_blank_timesheets(vals))

    def msp_action_start_timer(self):
        self.ensure_one()
        self.env["account.analytic.line"].msp_start_timer(self._msp_timer_values())
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def _msp_end_work(self, stop):
        """Run the OCA stop (``stop``), then open the stopped entry."""
        running = self.env["account.analytic.line"].search(
            self._timesheet_running_domain()
        )
        result = stop()
        if len(running) == 1:
            return running.msp_action_open_entry()
        return result


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "msp.timer.mixin"]

    msp_resolution_requested = fields.Text(string="What Was Requested", tracking=True)
    msp_resolution_done = fields.Text(string="What Was Done", tracking=True)
    msp_resolution_changed = fields.Text(string="What Changed", tracking=True)
    msp_resolution_followup = fields.Text(string="Follow-ups", tracking=True)
    msp_resolution_note = fields.Text(
        string="Resolution Note",
        compute="_compute_msp_resolution_note",
        search="_search_msp_resolution_note",
        help="The four parts of the resolution note; searchable.",
    )

    @api.depends(*RESOLUTION_FIELDS)
    def _compute_msp_resolution_note(self):
        for ticket in self:
            parts = [
                (ticket._fields[name].string, ticket[name])
                for name in RESOLUTION_FIELDS
                if ticket[name]
            ]
            ticket.msp_resolution_note = "\n".join(
                f"{label}: {text}" for label, text in parts
            )

    def _search_msp_resolution_note(self, operator, value):
        if operator not in ("ilike", "like", "=ilike", "=like", "="):
            raise UserError(self.env._("Unsupported search on the resolution note."))
        domain = []
        for name in RESOLUTION_FIELDS:
            domain = (
                ["|", *domain, (name, operator, value)]
                if domain
                else [(name, operator, value)]
            )
        return domain

    def _msp_timer_values(self):
        self.ensure_one()
        project = self.project_id or self.team_id.default_project_id
        if not project:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s has no project: set one (or a default "
                    "project on its team) to log time on it.",
                    ticket=self.display_name,
                )
            )
        if not self.project_id:
            self.project_id = project
        return {
            "ticket_id": self.id,
            "project_id": project.id,
            "task_id": self.task_id.id,
            "name": f"{self.number} {self.name}" if self.number else self.name,
        }

    def button_end_work(self):
        return self._msp_end_work(super().button_end_work)

    def button_start_work(self):
        result = super().button_start_work()
        result["context"].setdefault(
            "default_name", f"{self.number} {self.name}" if self.number else self.name
        )
        return result

    # ------------------------------------------------------------ guard

    def write(self, vals):
        result = super().write(vals)
        if "stage_id" in vals:
            self._msp_check_resolution_note()
        return result

    def _msp_resolution_note_missing(self, stage=None):
        """Minutes of time on this ticket when moving it into ``stage``
        (default: its stage) needs a resolution note it lacks; else 0."""
        self.ensure_one()
        stage = stage or self.stage_id
        if not stage.closed or (self.msp_resolution_done or "").strip():
            return 0
        threshold = self.company_id.msp_resolution_note_minutes
        minutes = sum(self.sudo().timesheet_ids.mapped("unit_amount")) * 60
        return minutes if minutes > threshold else 0

    def _msp_check_resolution_note(self):
        """A ticket with more time than the company's threshold cannot close
        without saying what was done. Automations running as superuser
        (monitoring alert clears) are not stopped; a client closing their
        ticket from the portal is (see ``_msp_check_client_close``)."""
        exempt = self.env.su or not self.env.user._is_internal()
        if exempt and not self._msp_is_client_close():
            return
        for ticket in self:
            minutes = ticket._msp_resolution_note_missing()
            if minutes:
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s has %(minutes)s minutes of time: "
                        "write its resolution note (at least 'What Was Done') "
                        "before closing it.",
                        ticket=ticket.display_name,
                        minutes=round(minutes),
                    )
                )

    def _msp_check_client_close(self, stage):
        """The client cannot close a ticket that still needs its resolution
        note: the technician writes it, then closes."""
        result = super()._msp_check_client_close(stage)
        if self._msp_resolution_note_missing(stage):
            raise UserError(
                self.env._(
                    "This ticket cannot be closed from the portal until our "
                    "technician has recorded what was done on it. We have let "
                    "the team know that you want it closed."
                )
            )
        return result
