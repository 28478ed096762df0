# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Who works on a project, for how many hours, and whether they have them.

Capacity is what the user can give the project inside its window
(``date_start`` .. ``date``): their working hours from their working
calendar (their employee's in the project's company, else the company's)
minus their leaves (and public holidays), minus the hours they are planned
for on other in-flight projects whose window overlaps. The project manager
ticks *confirmed* once the person (or their manager) agreed; the kickoff
gate needs at least one resource, all confirmed, none planned over capacity.
"""

from collections import defaultdict
from datetime import datetime, time

import pytz
from odoo import api, fields, models


class MspProjectResource(models.Model):
    _name = "msp.project.resource"
    _description = "Project Resource"
    _order = "project_id, id"

    project_id = fields.Many2one(
        "project.project",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="project_id.company_id", store=True, index=True
    )
    user_id = fields.Many2one(
        "res.users",
        required=True,
        index=True,
        domain="[('share', '=', False)]",
    )
    planned_hours = fields.Float(
        string="Planned (h)",
        help="Hours this user is planned to work on the project inside its window.",
    )
    available_hours = fields.Float(
        string="Working Hours (h)",
        compute="_compute_capacity",
        help="The user's working hours in the project window from their "
        "working calendar, leaves and public holidays deducted.",
    )
    other_project_hours = fields.Float(
        string="Other Projects (h)",
        compute="_compute_capacity",
        help="Hours the user is planned for on other in-flight projects "
        "whose window overlaps this project's.",
    )
    capacity_hours = fields.Float(
        string="Capacity (h)",
        compute="_compute_capacity",
        help="Working hours minus other in-flight projects' planned hours.",
    )
    over_capacity = fields.Boolean(compute="_compute_capacity")
    confirmed = fields.Boolean(
        string="Capacity Confirmed",
        copy=False,
        help="Ticked by the project manager once the hours are agreed. "
        "Changing the user or the planned hours clears it.",
    )

    _sql_constraints = [
        (
            "project_user_uniq",
            "unique(project_id, user_id)",
            "A user is assigned to a project once.",
        ),
        (
            "planned_hours_positive",
            "CHECK(planned_hours >= 0)",
            "Planned hours cannot be negative.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        resources = super().create(vals_list)
        resources.project_id._msp_sync_resources_confirmed(
            resources.filtered("confirmed").project_id
        )
        return resources

    def write(self, vals):
        sync = bool({"confirmed", "planned_hours", "user_id", "project_id"} & set(vals))
        projects = self.project_id
        confirming = (
            self.filtered(lambda r: not r.confirmed)
            if vals.get("confirmed")
            else self.browse()
        )
        self._msp_unconfirm_changed(vals)
        result = super().write(vals)
        if sync:
            (projects | self.project_id)._msp_sync_resources_confirmed(
                confirming.project_id
            )
        return result

    def unlink(self):
        projects = self.project_id
        result = super().unlink()
        projects.exists()._msp_sync_resources_confirmed()
        return result

    def _msp_unconfirm_changed(self, vals):
        """Changing the user or the planned hours of a confirmed resource
        withdraws its confirmation. Returns the resources unconfirmed."""
        changed = self.browse()
        if ("planned_hours" in vals or "user_id" in vals) and "confirmed" not in vals:
            changed = self.filtered(
                lambda r: (
                    r.confirmed
                    and (
                        (
                            "planned_hours" in vals
                            and r.planned_hours != vals["planned_hours"]
                        )
                        or ("user_id" in vals and r.user_id.id != vals["user_id"])
                    )
                )
            )
            if changed:
                super(MspProjectResource, changed).write({"confirmed": False})
        return changed

    @api.depends(
        "user_id",
        "planned_hours",
        "project_id.date_start",
        "project_id.date",
        "project_id.company_id",
    )
    def _compute_capacity(self):
        for rec in self:
            rec.available_hours = rec.other_project_hours = rec.capacity_hours = 0
        # one batch per project window (and company)
        by_window = defaultdict(lambda: self.browse())
        for rec in self:
            project = rec.project_id
            if rec.user_id and project.date_start and project.date:
                key = (project.date_start, project.date, project.company_id)
                by_window[key] |= rec
        other = self._msp_other_project_hours()
        for (start, stop, company), recs in by_window.items():
            available = self._msp_available_hours(recs.user_id, start, stop, company)
            for rec in recs:
                rec.available_hours = available.get(rec.user_id.id, 0.0)
                rec.other_project_hours = other.get(rec.id, 0.0)
                rec.capacity_hours = max(
                    rec.available_hours - rec.other_project_hours, 0.0
                )
        for rec in self:
            rec.over_capacity = rec.planned_hours > rec.capacity_hours + 1e-6

    @api.model
    def _msp_available_hours(self, users, date_start, date_stop, company):
        """{user id: working hours from ``date_start`` to ``date_stop``
        (inclusive days), leaves deducted}."""
        company = company or self.env.company
        employees = (
            self.env["hr.employee"]
            .sudo()
            .with_context(active_test=True)
            .search([("user_id", "in", users.ids), ("company_id", "=", company.id)])
        )
        result = {}
        by_tz = defaultdict(lambda: self.env["hr.employee"].sudo())
        for employee in employees:
            if employee.user_id.id not in result:
                result[employee.user_id.id] = 0.0
                by_tz[employee.tz or company.resource_calendar_id.tz or "UTC"] |= (
                    employee
                )
        for tz, tz_employees in by_tz.items():
            start, stop = self._msp_window(date_start, date_stop, tz)
            data = tz_employees._get_work_days_data_batch(start, stop)
            for employee in tz_employees:
                result[employee.user_id.id] = data[employee.id]["hours"]
        calendar = company.sudo().resource_calendar_id
        left = [uid for uid in users.ids if uid not in result]
        if left:
            hours = 0.0
            if calendar:
                start, stop = self._msp_window(
                    date_start, date_stop, calendar.tz or "UTC"
                )
                hours = calendar.get_work_hours_count(start, stop, compute_leaves=True)
            result.update(dict.fromkeys(left, hours))
        return result

    @api.model
    def _msp_window(self, date_start, date_stop, tz):
        zone = pytz.timezone(tz)
        return (
            zone.localize(datetime.combine(date_start, time.min)),
            zone.localize(datetime.combine(date_stop, time.max)),
        )

    def _msp_other_project_hours(self):
        """{resource id: planned hours of its user on other in-flight
        projects whose window overlaps its project's}, in one grouped
        query for all of ``self``."""
        windowed = self.filtered(
            lambda r: r.user_id and r.project_id.date_start and r.project_id.date
        )
        if not windowed:
            return {}
        groups = self.sudo()._read_group(
            [
                ("user_id", "in", windowed.user_id.ids),
                ("project_id.msp_state", "=", "in_flight"),
                (
                    "project_id.date_start",
                    "<=",
                    max(windowed.project_id.mapped("date")),
                ),
                (
                    "project_id.date",
                    ">=",
                    min(windowed.project_id.mapped("date_start")),
                ),
            ],
            ["user_id", "project_id"],
            ["planned_hours:sum"],
        )
        by_user = defaultdict(list)
        for user, project, hours in groups:
            by_user[user.id].append((project, hours))
        result = {}
        for rec in windowed:
            mine = rec.project_id
            result[rec.id] = sum(
                hours
                for project, hours in by_user[rec.user_id.id]
                if project.id != mine._origin.id
                and project.date_start <= mine.date
                and project.date >= mine.date_start
            )
        return result
