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
    team_id = fields.Many2one("helpdesk.ticket.team")
    category_id = fields.Many2one("helpdesk.ticket.category")
    started_at = fields.Datetime(default=fields.Datetime.now, required=True)
    duration_minutes = fields.Float(string="Duration (min)", required=True)
    user_id = fields.Many2one(
        "res.users",
        string="Taken By",
        default=lambda self: self.env.user,
        required=True,
    )
    ticket_id = fields.Many2one("helpdesk.ticket", readonly=True, copy=False)
    timesheet_id = fields.Many2one("account.analytic.line", readonly=True, copy=False)
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
        for call in self:
            if call.ticket_id:
                raise UserError(self.env._("This call already has its ticket."))
            notes = html_escape(call.notes or "")
            number = html_escape(call.caller_number)
            # the unknown-caller flag is the system's to set
            with system_write():
                ticket = call._create_ticket(notes, number)
            call.ticket_id = ticket
            call._log_time()
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

    def _log_time(self):
        """The call's duration as a time entry on the ticket, by whoever
        took the call; noted on the ticket when it cannot be booked."""
        self.ensure_one()
        ticket = self.ticket_id
        employee = (
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
        project = ticket.project_id or ticket.team_id.default_project_id
        if not (employee and project and self.duration_minutes > 0):
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
                    "date": fields.Date.to_date(self.started_at),
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
        call.action_create_ticket()
        return call
