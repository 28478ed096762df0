# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Meetings linked to a ticket or task become draft time entries for their
internal attendees once they have ended and the attendee accepted."""

from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.msp_base.models.msp_system_fields import system_write

LOOKBACK_DAYS = 14  # the cron catches events that ended in this window


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    msp_ticket_id = fields.Many2one(
        "helpdesk.ticket", string="Ticket", index="btree_not_null"
    )
    msp_task_id = fields.Many2one(
        "project.task", string="Project Task", index="btree_not_null"
    )
    msp_time_entry_ids = fields.One2many(
        "account.analytic.line", "msp_calendar_event_id", string="Time Entries"
    )

    def _msp_project(self):
        self.ensure_one()
        if self.msp_task_id:
            return self.msp_task_id.project_id
        ticket = self.msp_ticket_id
        return ticket.project_id or ticket.team_id.default_project_id

    def _msp_capture_time(self, attendees=None):
        """Create the missing draft entries (idempotent: one per event and
        attendee user, also enforced by a unique constraint). Runs as
        superuser: it is the system booking each attendee's own time."""
        now = fields.Datetime.now()
        Line = self.env["account.analytic.line"].sudo()
        events = self.sudo().filtered(
            lambda e: (
                (e.msp_ticket_id or e.msp_task_id)
                and not e.allday
                and e.stop
                and e.stop <= now
                and e.duration > 0
            )
        )
        if not events:
            return Line
        done = {
            (line.msp_calendar_event_id.id, line.user_id.id)
            for line in Line.search([("msp_calendar_event_id", "in", events.ids)])
        }
        vals_list = []
        for event in events:
            project = event._msp_project()
            if not project or not project.allow_timesheets:
                continue
            company = project.company_id or event.msp_ticket_id.company_id
            # the full lock: the company's, and what billing has invoiced
            lock = Line.new(
                {
                    "ticket_id": event.msp_ticket_id.id,
                    "task_id": event.msp_task_id.id,
                    "project_id": project.id,
                    "company_id": (company or self.env.company).id,
                }
            )._msp_lock_date()
            candidates = event.attendee_ids.filtered(lambda a: a.state == "accepted")
            if attendees is not None:
                candidates &= attendees.sudo()
            for attendee in candidates:
                for user in attendee.partner_id.user_ids.filtered(
                    lambda u: not u.share and u.active
                ):
                    employee = user.employee_ids.filtered(
                        lambda e, company=company: (
                            not company or e.company_id == company
                        )
                    )[:1]
                    if not employee or (event.id, user.id) in done:
                        continue
                    entry_date = Line._convert_datetime_to_date(event.start)
                    if lock and entry_date <= lock:
                        continue
                    done.add((event.id, user.id))
                    vals_list.append(
                        {
                            "name": event.name,
                            "msp_calendar_event_id": event.id,
                            "msp_state": "draft",
                            "ticket_id": event.msp_ticket_id.id,
                            "task_id": event.msp_task_id.id
                            or event.msp_ticket_id.task_id.id,
                            "project_id": project.id,
                            "employee_id": employee.id,
                            "user_id": user.id,
                            "date_time": event.start,
                            "unit_amount": event.duration,
                        }
                    )
        with system_write():
            return Line.create(vals_list)

    @api.model
    def _cron_msp_capture_time(self):
        now = fields.Datetime.now()
        events = self.sudo().search(
            [
                "|",
                ("msp_ticket_id", "!=", False),
                ("msp_task_id", "!=", False),
                ("stop", "<=", now),
                ("stop", ">=", now - timedelta(days=LOOKBACK_DAYS)),
                ("allday", "=", False),
            ]
        )
        return events._msp_capture_time()


class CalendarAttendee(models.Model):
    _inherit = "calendar.attendee"

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "accepted":
            self.event_id._msp_capture_time(attendees=self)
        return result
