# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Demo time: each demo ticket gets the time its technicians logged on it."""

import random
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from odoo import api, fields, models
from odoo.exceptions import AccessError

WORK_NOTES = [
    "Remote session: diagnosed and fixed",
    "Called the user back, walked through the fix",
    "Checked logs and monitoring, applied change",
    "On-site visit",
    "Documented the resolution in the knowledge base",
    "Escalated to vendor support and followed up",
]
# What an hour of each demo staff member costs the MSP (wage and overhead):
# time entries carry it, so contract profitability shows real margins.
HOURLY_COST = {
    "grace": 62.0,
    "dana": 48.0,
    "luis": 38.0,
    "priya": 44.0,
    "tom": 55.0,
    "aisha": 50.0,
    "sam": 52.0,
    "mei": 46.0,
    "ben": 40.0,
    "joe": 36.0,
}
DEFAULT_HOURLY_COST = 45.0


class MspDemo(models.AbstractModel):
    _inherit = "msp.demo"

    @api.model
    def generate_time_entries(self, seed=2026):
        """Log 1-3 entries (15 min to 3 h) on every demo ticket."""
        if not self.env.is_superuser():
            raise AccessError(self.env._("Only the system generates demo data."))
        rng = random.Random(seed)
        tickets = self._demo_tickets()
        categories = self.env["msp.time.category"].search([], limit=3)
        for team in tickets.team_id:
            team_tickets = tickets.filtered(lambda t, team=team: t.team_id == team)
            team_tickets.write({"project_id": team.default_project_id.id})
        employees = self._demo_employees(tickets.team_id.user_ids)
        now = fields.Datetime.now()
        rows = []
        for ticket in tickets.filtered("user_id"):
            start = ticket.create_date
            end = ticket.closed_date or now
            for _entry in range(rng.randint(1, 3)):
                when = start + (end - start) * rng.random()
                row = self._demo_time_row(ticket, employees[ticket.user_id], when, rng)
                row["msp_time_category_id"] = rng.choice(categories).id
                rows.append(row)
        return self.env["account.analytic.line"].create(rows)

    @api.model
    def generate_time_meetings(self):
        """Two ended meetings on open demo tickets, accepted by their
        technician: they become draft entries waiting in My Day."""
        if not self.env.is_superuser():
            raise AccessError(self.env._("Only the system generates demo data."))
        tickets = (
            self._demo_tickets()
            .filtered(lambda t: t.user_id and t.project_id and not t.stage_id.closed)
            .sorted("id")[:2]
        )
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        events = self.env["calendar.event"]
        for hours_ago, ticket in zip((3, 26), tickets, strict=False):
            start = now - timedelta(hours=hours_ago)
            events |= (
                self.env["calendar.event"]
                .with_context(mail_create_nolog=True, no_mail_to_attendees=True)
                .create(
                    {
                        "name": f"Call with client about {ticket.number}",
                        "start": start,
                        "stop": start + timedelta(minutes=45),
                        "msp_ticket_id": ticket.id,
                        "partner_ids": [(6, 0, ticket.user_id.partner_id.ids)],
                    }
                )
            )
        events.attendee_ids.write({"state": "accepted"})
        return events

    @api.model
    def set_time_lock_date(self):
        """Time is locked up to the end of the month before last (as if it
        had been invoiced)."""
        if not self.env.is_superuser():
            raise AccessError(self.env._("Only the system generates demo data."))
        today = fields.Date.context_today(self)
        lock = today.replace(day=1) - relativedelta(months=1) - timedelta(days=1)
        self.env.company.msp_time_lock_date = lock
        return lock

    @api.model
    def _demo_tickets(self):
        data = self.env["ir.model.data"].search(
            [("module", "=", "msp_base"), ("model", "=", "helpdesk.ticket")]
        )
        return self.env["helpdesk.ticket"].browse(data.mapped("res_id")).exists()

    @api.model
    def _demo_employees(self, users):
        employees = self.env["hr.employee"].search([("user_id", "in", users.ids)])
        missing = users - employees.user_id
        employees |= self.env["hr.employee"].create(
            [{"name": user.name, "user_id": user.id} for user in missing]
        )
        for employee in employees.filtered(lambda e: not e.hourly_cost):
            employee.hourly_cost = HOURLY_COST.get(
                employee.user_id.login, DEFAULT_HOURLY_COST
            )
        return {employee.user_id: employee for employee in employees}

    @api.model
    def _demo_time_row(self, ticket, employee, when, rng):
        hours = rng.choice([0.25, 0.25, 0.5, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0])
        started = datetime.combine(when.date(), time(8)) + timedelta(
            minutes=15 * rng.randint(0, 32)
        )
        return {
            "name": rng.choice(WORK_NOTES),
            "ticket_id": ticket.id,
            "project_id": ticket.project_id.id,
            "employee_id": employee.id,
            "user_id": employee.user_id.id,
            "date": started.date(),
            "date_time": started,
            "date_time_end": started + timedelta(hours=hours),
            "unit_amount": hours,
        }
