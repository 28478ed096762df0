# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Time entries: work type, billed time, draft/confirmed, one running timer
per user, and the period lock."""

from datetime import datetime, timedelta

import psycopg2
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import sql

from odoo.addons.msp_base.models.msp_system_fields import system_write

from ..lib.rounding import billed_seconds, to_seconds

# Derived from the entry, or set by the correction wizard and the meeting
# capture: never typed in (billed hours are what the client pays).
SYSTEM_FIELDS = frozenset(
    {
        "msp_billed_hours",
        "msp_rounding_hours",
        "msp_work_type_reason",
        "msp_client_id",
        "msp_timer_running",
        "msp_adjusted_line_id",
        "msp_adjustment_reason",
        "msp_calendar_event_id",
    }
)

RUNNING_TIMER_CONSTRAINT = "account_analytic_line_msp_one_running_timer"

# A manual entry may end this much after "now" (clock skew between the
# browser's row and the server), no more: time is logged once done.
END_TOLERANCE = timedelta(minutes=1)

# Descriptions that say nothing (hr_timesheet's placeholder).
BLANK_NAMES = ("", "/")


def is_blank_name(name):
    return (name or "").strip() in BLANK_NAMES


class AccountAnalyticLine(models.Model):
    _name = "account.analytic.line"
    _inherit = [
        "account.analytic.line",
        "msp.system.fields.mixin",
        "msp.valid.values.mixin",
    ]

    _sql_constraints = [
        (
            "msp_one_running_timer",
            "EXCLUDE (user_id WITH =) WHERE (msp_timer_running)",
            "A user can run only one timer at a time: stop the running one first "
            "(it may have been started in another window).",
        ),
        (
            "msp_one_entry_per_event_attendee",
            "UNIQUE (msp_calendar_event_id, user_id)",
            "This meeting already gave this attendee a time entry.",
        ),
    ]

    msp_work_type_id = fields.Many2one(
        "msp.work.type",
        string="Work Type",
        compute="_compute_msp_work_type_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        ondelete="restrict",
        help="Required on every time entry. Defaults from the ticket (see "
        "'Work Type Source').",
    )
    msp_work_kind = fields.Selection(
        string="Work Kind",
        related="msp_work_type_id.kind",
        store=True,
        index="btree_not_null",
    )
    msp_work_type_reason = fields.Char(
        string="Work Type Source",
        compute="_compute_msp_work_type_reason",
        store=True,
        help="Where the work type came from.",
    )
    msp_time_category_id = fields.Many2one(
        "msp.time.category",
        string="Time Category",
        index="btree_not_null",
        ondelete="restrict",
    )
    msp_client_id = fields.Many2one(
        "res.partner",
        string="Client",
        compute="_compute_msp_client_id",
        store=True,
        index="btree_not_null",
        help="The commercial partner of the ticket (else of the task or the "
        "entry), fixed when the entry is logged.",
    )
    msp_billed_hours = fields.Float(
        string="Billed (h)",
        compute="_compute_msp_billed_hours",
        store=True,
        help="The actual time rounded up to the client's billing increment, "
        "at least its minimum charge. Adjustment entries carry the change "
        "they make to the billed time of the entry they correct.",
    )
    msp_rounding_hours = fields.Float(
        string="Rounding (h)",
        compute="_compute_msp_billed_hours",
        store=True,
        help="Billed minus actual time.",
    )
    msp_state = fields.Selection(
        [("draft", "Draft"), ("confirmed", "Confirmed")],
        string="Entry State",
        default="confirmed",
        required=True,
        index=True,
        copy=False,
        help="Draft entries (from meetings) wait for their technician to "
        "confirm them in My Day; billing reads confirmed entries only.",
    )
    msp_timer_running = fields.Boolean(
        string="Timer Running",
        readonly=True,
        copy=False,
        help="A timer the user started (Start timer button, start or resume "
        "wizard) and has not stopped yet. A line typed in with no duration "
        "is never a timer. At most one per user (database constraint).",
    )
    msp_adjusted_line_id = fields.Many2one(
        "account.analytic.line",
        string="Corrects Entry",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
    )
    msp_adjustment_ids = fields.One2many(
        "account.analytic.line", "msp_adjusted_line_id", string="Corrections"
    )
    msp_adjustment_reason = fields.Char(
        string="Correction Reason", readonly=True, copy=False
    )
    msp_calendar_event_id = fields.Many2one(
        "calendar.event",
        string="Meeting",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    msp_locked = fields.Boolean(
        string="Locked",
        compute="_compute_msp_locked",
        help="Dated on or before the lock date: cannot change any more.",
    )

    def _msp_system_fields(self):
        return super()._msp_system_fields() | SYSTEM_FIELDS

    def _auto_init(self):
        # Existing zero-hour lines (hr_timesheet's install-time "Analysis"
        # lines) are not timers anyone started: the column starts empty, so
        # the one-timer constraint holds (only a start sets the flag).
        if not sql.column_exists(self.env.cr, self._table, "msp_timer_running"):
            sql.create_column(self.env.cr, self._table, "msp_timer_running", "boolean")
        return super()._auto_init()

    def init(self):
        result = super().init()
        # "My day" and the review read one user's day; the rounding report
        # reads a period per client.
        sql.create_index(
            self.env.cr,
            "account_analytic_line_msp_user_date_index",
            self._table,
            ["user_id", "date"],
        )
        sql.create_index(
            self.env.cr,
            "account_analytic_line_msp_date_client_index",
            self._table,
            ["date", "msp_client_id"],
            where="project_id IS NOT NULL",
        )
        return result

    # ------------------------------------------------------------ defaults

    def _msp_default_work_type(self):
        """The default work type of this entry and why: ``(work_type,
        reason)``; ``work_type`` may be empty.

        The hook billing extends (the client's contract first, then
        ``super()``). Here: the ticket's category, the project's default, a
        task without ticket (project delivery), the client's default, the
        company's default."""
        self.ensure_one()
        env = self.env
        ticket = self.ticket_id
        category_type = ticket.category_id.msp_work_type_id
        if category_type:
            return category_type, env._(
                "Ticket category %(category)s", category=ticket.category_id.name
            )
        project = self.project_id or ticket.project_id
        if project.msp_work_type_id:
            return project.msp_work_type_id, env._(
                "Project %(project)s", project=project.name
            )
        if self.task_id and not ticket:
            work_type = env.ref("msp_time.work_type_project", False)
            if work_type:
                return work_type, env._("Project task")
        client = self._msp_client()
        if client.msp_work_type_id:
            return client.msp_work_type_id, env._(
                "Client %(client)s", client=client.name
            )
        company = self.company_id or ticket.company_id or env.company
        if company.msp_work_type_id:
            return company.msp_work_type_id, env._("Company default")
        return env["msp.work.type"], ""

    @api.depends("ticket_id", "task_id")
    def _compute_msp_work_type_id(self):
        for line in self:
            if not line.project_id and not line.ticket_id:
                continue  # not a timesheet (invoice analytic lines)
            if line.msp_work_type_id and line._origin.ticket_id == line.ticket_id:
                continue  # keep a type chosen before the ticket was known
            work_type = line._msp_default_work_type()[0]
            if work_type:
                line.msp_work_type_id = work_type

    @api.depends("msp_work_type_id", "ticket_id", "task_id")
    def _compute_msp_work_type_reason(self):
        for line in self:
            if not line.msp_work_type_id:
                line.msp_work_type_reason = False
                continue
            work_type, reason = line._msp_default_work_type()
            if work_type == line.msp_work_type_id:
                line.msp_work_type_reason = reason
            else:
                line.msp_work_type_reason = line.env._("Chosen on the entry")

    def _msp_client(self):
        self.ensure_one()
        partner = (
            self.ticket_id.commercial_partner_id
            or self.task_id.partner_id
            or self.partner_id
        )
        return partner.commercial_partner_id

    @api.depends("ticket_id", "task_id", "partner_id")
    def _compute_msp_client_id(self):
        for line in self:
            line.msp_client_id = line._msp_client()

    def _compute_show_time_control(self):
        # OCA shows "stop" on any zero-hour line with a start: only a timer
        # the user started can be stopped.
        result = super()._compute_show_time_control()
        for line in self:
            if line.show_time_control == "stop" and not line.msp_timer_running:
                line.show_time_control = "resume"
        return result

    @api.onchange("unit_amount")
    def _onchange_msp_end_now(self):
        """A duration typed on a new row ends now: its start moves back."""
        if self._origin.id or self.msp_timer_running or self.unit_amount <= 0:
            return
        start = self._msp_manual_start(self.date_time, self.unit_amount)
        if start != self.date_time:
            self.date_time = start
            self.date = self._convert_datetime_to_date(start)

    def _check_msp_work_type(self):
        """Checked in create() and write() (not as @api.constrains, which
        would also fire when the column is first computed at install, before
        the work types exist)."""
        missing = self.filtered(
            lambda line: line.project_id and not line.msp_work_type_id
        )
        if missing:
            raise ValidationError(
                self.env._(
                    "A time entry needs a work type (included, billable, "
                    "project, warranty or internal) and none could be "
                    "inferred for: %(entries)s. Choose one, or set a default "
                    "on the ticket category, the project, the client or the "
                    "company.",
                    entries=", ".join(line.name or "/" for line in missing[:5]),
                )
            )

    # ------------------------------------------------------------ billing

    def _msp_billing_increment(self):
        """``(increment_minutes, minimum_minutes)`` for this entry.

        The hook billing overrides from the contract. Here: the client's
        values, else the company's."""
        self.ensure_one()
        client = self.msp_client_id
        company = self.company_id or self.env.company
        increment = (
            client.msp_billing_increment_minutes
            or company.msp_billing_increment_minutes
        )
        minimum = (
            client.msp_billing_minimum_minutes or company.msp_billing_minimum_minutes
        )
        return increment, minimum

    @api.depends("unit_amount", "msp_client_id", "company_id", "msp_adjusted_line_id")
    def _compute_msp_billed_hours(self):
        for line in self:
            if not line.project_id:
                line.msp_billed_hours = line.msp_rounding_hours = 0.0
                continue
            original = line.msp_adjusted_line_id
            if original:
                # A correction bills the change it makes to the original's
                # billed time: billed(after) - billed(before).
                increment, minimum = original._msp_billing_increment()
                own = line._origin.id
                earlier = original.msp_adjustment_ids.filtered(
                    lambda adj, own=own: (
                        adj._origin.id
                        and adj._origin.id != own
                        and (not own or adj._origin.id < own)
                    )
                )
                before = to_seconds(original.unit_amount) + sum(
                    to_seconds(adj.unit_amount) for adj in earlier
                )
                after = before + to_seconds(line.unit_amount)
                billed = billed_seconds(after, increment, minimum) - billed_seconds(
                    before, increment, minimum
                )
            else:
                increment, minimum = line._msp_billing_increment()
                billed = billed_seconds(
                    to_seconds(line.unit_amount), increment, minimum
                )
            line.msp_billed_hours = billed / 3600
            line.msp_rounding_hours = (billed - to_seconds(line.unit_amount)) / 3600

    def _msp_corrected_hours(self):
        """The entry's time with its corrections."""
        self.ensure_one()
        return self.unit_amount + sum(self.msp_adjustment_ids.mapped("unit_amount"))

    # ------------------------------------------------------------ lock

    def _msp_lock_date(self):
        """The date on or before which this entry is frozen (or False)."""
        self.ensure_one()
        return self._msp_lock_dates()[self.id]

    def _msp_lock_dates(self):
        """{entry id: the date on or before which it is frozen, or False},
        for the whole recordset at once.

        The hook billing extends with the client's last invoiced cycle
        (return the later of the two), in one query for all the entries."""
        return {
            line.id: (line.company_id or self.env.company).sudo().msp_time_lock_date
            for line in self
        }

    def _msp_locked(self):
        """The entries of ``self`` that are frozen."""
        locks = self._msp_lock_dates()
        return self.filtered(
            lambda line: (
                line.project_id
                and line.date
                and locks[line.id]
                and line.date <= locks[line.id]
            )
        )

    @api.model
    def _msp_lock_exempt_fields(self):
        """Fields that may still be written on locked entries (none here).

        Billing may add the fields it stamps on invoiced time (e.g. the
        invoice line it went to). Everything else is frozen."""
        return set()

    def _compute_msp_locked(self):
        locked = self._msp_locked()
        for line in self:
            line.msp_locked = line in locked

    def _msp_is_locked(self):
        self.ensure_one()
        return bool(self._msp_locked())

    def _msp_raise_locked(self, lines, action):
        lock = max(filter(None, lines._msp_lock_dates().values()))
        raise UserError(
            self.env._(
                "Time up to %(date)s is locked: %(action)s %(count)s entr(y/ies) "
                "(%(entries)s) is not allowed. Correct locked time with an "
                "adjustment entry (Time > Adjust Locked Entry).",
                date=lock,
                action=action,
                count=len(lines),
                entries=", ".join(line.name or "/" for line in lines[:5]),
            )
        )

    def _msp_changed_fields(self, vals):
        """The fields of ``vals`` that would change ``self`` (one record)."""
        self.ensure_one()
        changed = set()
        for name, value in vals.items():
            field = self._fields.get(name)
            if (
                field is None
                or not field.store
                or field.type
                in (
                    "one2many",
                    "many2many",
                )
            ):
                changed.add(name)
                continue
            new = field.convert_to_record(field.convert_to_cache(value, self), self)
            if new != self[name]:
                changed.add(name)
        return changed

    def _msp_check_lock(self, action):
        locked = self._msp_locked()
        if locked:
            self._msp_raise_locked(locked, action)

    def _is_readonly(self):
        if self.env.context.get("msp_lock_checked"):
            return super()._is_readonly()
        return super()._is_readonly() or self._msp_is_locked()

    def _compute_readonly_timesheet(self):
        # the lock of all the entries at once, not one query per entry
        result = super(
            AccountAnalyticLine, self.with_context(msp_lock_checked=True)
        )._compute_readonly_timesheet()
        if self.env.user.has_group("base.group_user"):
            self._msp_locked().readonly_timesheet = True
        return result

    # ------------------------------------------------------------ CRUD

    @api.model
    def _msp_manual_start(self, start, hours):
        """The start of a manual entry of ``hours`` that would start at
        ``start``: unchanged, unless the entry, started today or earlier,
        would end in the future: then it ends now (start = now - duration).
        An entry dated a later day (planned work, an import) is left as is."""
        now = fields.Datetime.now()
        start = fields.Datetime.to_datetime(start) or now
        try:
            end = start + timedelta(hours=hours)
        except OverflowError:
            return start  # refused as too long by _msp_check_hours
        if (
            hours > 0
            and end > now + END_TOLERANCE
            and self._convert_datetime_to_date(start) <= fields.Date.context_today(self)
        ):
            return (now - timedelta(hours=hours)).replace(microsecond=0)
        return start

    @api.model
    def _msp_default_name(self, vals):
        """What a line typed in without a description says: the ticket's
        number and title (else the task's name), never "/"."""
        ticket = self.env["helpdesk.ticket"].browse(vals.get("ticket_id")).sudo()
        if ticket.exists():
            return f"{ticket.number} {ticket.name}" if ticket.number else ticket.name
        task = self.env["project.task"].browse(vals.get("task_id")).sudo()
        if task.exists():
            return task.name
        return vals.get("name")

    @api.model
    def _msp_prepare_entry(self, vals):
        """Values of a new timesheet line: a timer only when started
        (context ``msp_timer_start``), a manual entry ending now at the
        latest, never a blank one."""
        if not any(vals.get(name) for name in ("project_id", "ticket_id", "task_id")):
            return vals  # not a timesheet (invoice analytic lines)
        vals = dict(vals)
        hours = vals.get("unit_amount") or 0.0
        if self.env.context.get("msp_timer_start") and not hours:
            vals["msp_timer_running"] = True
            vals.setdefault("date_time", fields.Datetime.now())
            return vals
        if (
            not hours
            and is_blank_name(vals.get("name"))
            and not vals.get("msp_adjusted_line_id")
        ):
            raise ValidationError(
                self.env._(
                    "A time entry needs a duration (or a description): this "
                    "line has neither. To time your work, use Start timer."
                )
            )
        if is_blank_name(vals.get("name")):
            vals["name"] = self._msp_default_name(vals)
        if hours > 0:
            start = vals.get("date_time")
            day = fields.Date.to_date(vals.get("date"))
            if not start and day and day != fields.Date.context_today(self):
                # another day: as project_timesheet_time_control fills it in
                start = datetime.combine(day, fields.Datetime.now().time())
            new_start = self._msp_manual_start(start, hours)
            if new_start != fields.Datetime.to_datetime(start):
                vals["date_time"] = new_start
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        # before hr_timesheet and the lock read the values
        self._msp_check_values(vals_list)
        self._msp_check_system_fields(vals_list)
        vals_list = [self._msp_prepare_entry(vals) for vals in vals_list]
        if any(vals.get("msp_timer_running") for vals in vals_list):
            with system_write():
                lines = super().create(vals_list)
        else:
            lines = super().create(vals_list)
        lines._msp_check_hours()
        lines._msp_check_own_time(self.env._("create"))
        lines._check_msp_work_type()
        lines._msp_check_lock(self.env._("creating"))
        return lines

    def write(self, vals):
        self._msp_check_values([vals])
        exempt = self._msp_lock_exempt_fields()
        frozen = {name: value for name, value in vals.items() if name not in exempt}
        was_locked = self._msp_locked()
        if frozen and was_locked:
            changed = was_locked.filtered(lambda line: line._msp_changed_fields(frozen))
            if changed:
                self._msp_raise_locked(changed, self.env._("changing"))
        if vals.get("date") or vals.get("date_time"):
            self._msp_check_new_date(vals)
        result = super().write(vals)
        if {"unit_amount", "date_time"} & set(vals):
            self._msp_after_time_change()
        if {"unit_amount", "msp_adjusted_line_id", "company_id"} & set(vals):
            self._msp_check_hours()
        if {"msp_work_type_id", "project_id"} & set(vals):
            self._check_msp_work_type()
        if {"date", "date_time", "project_id", "company_id"} & set(vals):
            (self - was_locked)._msp_check_lock(
                self.env._("moving into the locked period")
            )
        return result

    def _msp_after_time_change(self):
        """A timer given a duration (or losing its start) is no longer
        running; a manual entry changed to end in the future ends now."""
        stopped = self.filtered(
            lambda line: (
                line.msp_timer_running and (line.unit_amount or not line.date_time)
            )
        )
        if stopped:
            with system_write():
                stopped.write({"msp_timer_running": False})
        for line in self.filtered(
            lambda line: (
                line.project_id
                and line.date_time
                and not line.msp_timer_running
                and line.unit_amount > 0
            )
        ):
            start = line._msp_manual_start(line.date_time, line.unit_amount)
            if start != line.date_time:
                line.write({"date_time": start})

    def _msp_check_hours(self):
        """Time is never negative (but a correction of a locked entry may
        take some off) and one entry holds at most the company's longest
        entry (24 h unless set otherwise)."""
        for line in self.filtered("project_id"):
            if line.unit_amount < 0 and not line.msp_adjusted_line_id:
                raise ValidationError(
                    self.env._(
                        "%(entry)s: time cannot be negative (%(hours)s h). To "
                        "take time off a locked entry, adjust it.",
                        entry=line.name or line.display_name,
                        hours=line.unit_amount,
                    )
                )
            limit = line.company_id.msp_time_max_entry_hours
            if limit and abs(line.unit_amount) > limit:
                raise ValidationError(
                    self.env._(
                        "%(entry)s: %(hours)s h is more than one entry may hold "
                        "(%(limit)s h, a company setting).",
                        entry=line.name or line.display_name,
                        hours=round(line.unit_amount, 2),
                        limit=limit,
                    )
                )

    def _msp_check_new_date(self, vals):
        """Refuse, before writing anything, a date inside the lock."""
        if vals.get("date"):
            new_date = fields.Date.to_date(vals["date"])
        else:
            new_date = self._convert_datetime_to_date(vals["date_time"])
        locks = self._msp_lock_dates()
        moved = self.filtered(
            lambda line: (
                line.project_id and locks[line.id] and new_date <= locks[line.id]
            )
        )
        if moved:
            self._msp_raise_locked(moved, self.env._("moving into the locked period"))

    def _msp_check_own_time(self, action):
        """Only approvers (dispatchers, managers) touch other people's time;
        Odoo's invoicing group may edit analytic lines, not timesheets."""
        if self.env.su or self.env.user.has_group(
            "hr_timesheet.group_hr_timesheet_approver"
        ):
            return
        if any(line.project_id and line.user_id != self.env.user for line in self):
            raise AccessError(
                self.env._(
                    "You cannot %(action)s time entries that are not yours.",
                    action=action,
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_msp_except_locked(self):
        self._msp_check_own_time(self.env._("delete"))
        self._msp_check_lock(self.env._("deleting"))

    # ------------------------------------------------------------ timers

    @api.model
    def _running_domain(self):
        return [*super()._running_domain(), ("msp_timer_running", "=", True)]

    @api.model
    def _msp_running_timer(self):
        return self.search(
            [("user_id", "=", self.env.uid), ("msp_timer_running", "=", True)],
            limit=1,
        )

    def button_end_work(self):
        not_running = self.filtered(lambda line: not line.msp_timer_running)
        if not_running:
            raise UserError(
                self.env._(
                    "%(entries)s: not a running timer (nobody started it), "
                    "nothing to stop. Type its duration instead.",
                    entries=", ".join(line.name or "/" for line in not_running[:5]),
                )
            )
        result = super().button_end_work()
        with system_write():
            self.write({"msp_timer_running": False})
        # Stopped within the second it started: no time, and no start any
        # more either.
        self.filtered(lambda line: not line.unit_amount).write({"date_time": False})
        # the stop must reach the database before another timer starts
        self.flush_recordset(["unit_amount", "date_time", "msp_timer_running"])
        return result

    @api.model
    def msp_start_timer(self, vals):
        """Stop the user's running timer, if any, and start a new one with
        ``vals`` (ticket_id / task_id / project_id / name ...)."""
        running = self._msp_running_timer()
        if running:
            running.button_end_work()
        values = dict(
            vals,
            date_time=fields.Datetime.now(),
            unit_amount=0.0,
            user_id=self.env.uid,
        )
        values.pop("employee_id", None)
        try:
            with self.env.cr.savepoint():
                line = (
                    self.with_context(msp_timer_start=True)
                    .create(values)
                    .with_env(self.env)
                )
                line.flush_recordset()
        except psycopg2.IntegrityError as error:
            if (
                error.diag.constraint_name
                != "account_analytic_line_msp_one_running_timer"
            ):
                raise
            raise UserError(
                self.env._(
                    "Another timer was started for you at the same moment "
                    "(another window or device). Refresh to see it."
                )
            ) from error
        return line

    def msp_action_open_entry(self):
        """The entry's form in a dialog, to finish its description."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Time Entry"),
            "res_model": self._name,
            "res_id": self.id,
            "views": [(self.env.ref("msp_time.aal_view_form_entry").id, "form")],
            "target": "new",
        }

    @api.model
    def msp_stop_timer(self):
        """Stop the user's running timer; open it to finish the description."""
        running = self._msp_running_timer()
        if not running:
            return False
        running.button_end_work()
        return running.msp_action_open_entry()

    @api.model
    def msp_timer_systray(self):
        """What the systray shows: the user's running timer, if any."""
        running = self._msp_running_timer()
        if not running:
            return {}
        record = running.ticket_id or running.task_id
        return {
            "id": running.id,
            "name": running.name,
            "start": fields.Datetime.to_string(running.date_time),
            "res_model": record._name if record else False,
            "res_id": record.id,
            "record_name": record.display_name if record else running.project_id.name,
        }

    # ------------------------------------------------------------ review

    def msp_action_confirm(self):
        """Confirm draft entries (one's own; managers anyone's)."""
        drafts = self.filtered(lambda line: line.msp_state == "draft")
        drafts._check_can_write({"msp_state": "confirmed"})
        drafts.write({"msp_state": "confirmed"})
        return True
