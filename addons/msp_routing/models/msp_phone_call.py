# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Phone-to-ticket: a call record that opens the ticket (caller matched by
number) and books the call's duration as time on it."""

import re

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html_escape

from odoo.addons.msp_base.models.msp_system_fields import system_write


def phone_digits(number):
    return re.sub(r"\D", "", number or "")


class MspPhoneCall(models.Model):
    _name = "msp.phone.call"
    _description = "Phone Call"
    _order = "started_at desc, id desc"
    _rec_name = "subject"

    caller_number = fields.Char(required=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Caller",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        help="Matched on the last digits of the contact's phone or mobile.",
    )
    subject = fields.Char(required=True)
    notes = fields.Text()
    priority = fields.Selection(
        [("3", "P1"), ("2", "P2"), ("1", "P3"), ("0", "P4")], default="1", required=True
    )
    team_id = fields.Many2one(
        "helpdesk.ticket.team",
        help="Empty: the routing rules choose, else the company's catch-all team.",
    )
    category_id = fields.Many2one("helpdesk.ticket.category")
    started_at = fields.Datetime(default=fields.Datetime.now, required=True)
    duration_minutes = fields.Float(
        string="Duration (min)",
        required=True,
        help="Booked as a time entry on the ticket, for whoever took the call, "
        "ending when the call ended (at the latest now).",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Taken By",
        default=lambda self: self.env.user,
        required=True,
    )
    ticket_id = fields.Many2one("helpdesk.ticket", readonly=True, copy=False)
    timesheet_id = fields.Many2one(
        "account.analytic.line", string="Time Entry", readonly=True, copy=False
    )
    timesheet_hours = fields.Float(
        string="Time Booked", related="timesheet_id.unit_amount", readonly=True
    )
    ticket_team_id = fields.Many2one(
        string="Ticket Team",
        related="ticket_id.team_id",
        help="The team the ticket went to: the call's, a routing rule's or the "
        "company's catch-all team.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.depends("caller_number")
    def _compute_partner_id(self):
        for call in self:
            call.partner_id = self._match_caller(call.caller_number)

    @api.model
    def _match_caller(self, number):
        digits = phone_digits(number)
        if len(digits) < 6:
            return self.env["res.partner"]
        tail = digits[-9:]
        candidates = self.env["res.partner"].search(
            ["|", ("phone", "ilike", tail[-4:]), ("mobile", "ilike", tail[-4:])],
            limit=200,
        )
        matches = candidates.filtered(
            lambda p: (
                phone_digits(p.phone).endswith(tail)
                or phone_digits(p.mobile).endswith(tail)
            )
        )
        # a person over the company switchboard
        return matches.sorted(lambda p: (p.is_company, p.id))[:1]

    def action_create_ticket(self):
        """Open the call's ticket (routed; the company's catch-all team if
        no rule matched) and book the call's duration on it. Done by a
        person, nothing is created unless the time can be booked (the user
        is told what is missing); a call pushed by the phone system always
        gets its ticket, with a note when its time could not be booked."""
        interactive = not self.env.context.get("msp_phone_api")
        for call in self:
            if call.ticket_id:
                raise UserError(self.env._("This call already has its ticket."))
            if interactive:
                call._check_bookable()
            notes = html_escape(call.notes or "")
            number = html_escape(call.caller_number)
            # the unknown-caller flag is the system's to set
            with system_write():
                ticket = call._create_ticket(notes, number)
            call.ticket_id = ticket
            call._log_time(strict=interactive)
        if len(self) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": "helpdesk.ticket",
                "res_id": self.ticket_id.id,
                "view_mode": "form",
            }
        return True

    def _create_ticket(self, notes, number):
        return self.env["helpdesk.ticket"].create(
            {
                "name": self.subject,
                "description": f"<p>Phone call from {number}</p><p>{notes}</p>",
                "partner_id": self.partner_id.id,
                "partner_name": self.partner_id.name or self.caller_number,
                "channel_id": self.env.ref(
                    "helpdesk_mgmt.helpdesk_ticket_channel_phone"
                ).id,
                "priority": self.priority,
                "team_id": self.team_id.id,
                "category_id": self.category_id.id,
                "company_id": self.company_id.id,
                "msp_unknown_sender": not self.partner_id,
            }
        )

    def _employee(self):
        self.ensure_one()
        return (
            self.env["hr.employee"]
            .sudo()
            .search(
                [
                    ("user_id", "=", self.user_id.id),
                    ("company_id", "=", self.company_id.id),
                ],
                limit=1,
            )
        )

    def _check_bookable(self):
        """What a person logging the call must fix before its ticket is
        opened, so that its minutes are not lost."""
        self.ensure_one()
        if self.duration_minutes <= 0:
            raise UserError(
                self.env._("Enter the call's duration: it is booked as time.")
            )
        if not self._employee():
            raise UserError(
                self.env._(
                    "%(user)s has no employee in %(company)s: the call's time "
                    "cannot be booked. Ask an administrator to create one.",
                    user=self.user_id.name,
                    company=self.company_id.name,
                )
            )

    def _project(self):
        """Where the call's time goes: the ticket's project, else its team's
        default, else the catch-all team's."""
        ticket = self.ticket_id
        return (
            ticket.project_id
            or ticket.team_id.default_project_id
            or self.company_id.sudo().msp_catchall_team_id.default_project_id
        )

    def _log_time(self, strict=False):
        """The call's duration as a time entry on the ticket, by whoever
        took the call, ending when the call ended (at the latest now).
        ``strict``: refuse (UserError) instead of noting on the ticket that
        it could not be booked."""
        self.ensure_one()
        ticket = self.ticket_id
        employee = self._employee()
        project = self._project()
        if not (employee and project and self.duration_minutes > 0):
            if strict:
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s (team %(team)s) has no project to "
                        "book the call's time on: set a default project on "
                        "the team (or on the catch-all team in the settings).",
                        ticket=ticket.display_name,
                        team=ticket.team_id.name or "-",
                    )
                )
            ticket.message_post(
                body=self.env._(
                    "Phone call of %(minutes)s min not booked as time: the "
                    "technician needs an employee and the ticket a project.",
                    minutes=round(self.duration_minutes),
                ),
                subtype_xmlid="mail.mt_note",
            )
            return
        if not ticket.project_id:
            ticket.sudo().project_id = project
        self.timesheet_id = (
            self.env["account.analytic.line"]
            .sudo()
            .create(
                {
                    "name": self.env._("Phone call: %(subject)s", subject=self.subject),
                    "ticket_id": ticket.id,
                    "project_id": project.id,
                    "employee_id": employee.id,
                    "user_id": self.user_id.id,
                    "date_time": self.started_at,
                    "unit_amount": self.duration_minutes / 60.0,
                }
            )
        )

    @api.model
    def _from_api(self, values, company):
        """A call pushed by the phone system, its values checked by
        lib.payload.call_values (see the controller). Runs as the source's
        intake user: the call is taken by the agent of that login, else by
        the intake user."""
        login = values.get("agent_login")
        user = (
            self.env["res.users"].search([("login", "=", login)], limit=1)
            if login
            else self.env["res.users"]
        )
        call = self.create(
            {
                "caller_number": values["caller"],
                "subject": values.get("subject") or self.env._("Phone call"),
                "notes": values.get("notes") or "",
                "duration_minutes": values.get("duration_seconds", 0) / 60.0,
                "user_id": user.id or self.env.user.id,
                "company_id": company.id,
            }
        )
        call.with_context(msp_phone_api=True).action_create_ticket()
        return call
