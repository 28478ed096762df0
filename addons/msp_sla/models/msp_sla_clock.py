# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""SLA clocks: one per ticket and kind (first response, resolution).

A clock runs from the ticket's creation, pauses while the ticket waits on the
client (each pause kept as an interval with its working time), stops at the
first response or the closing, and restarts on reopening. Its deadline is
``start + target + paused`` in working time of its calendar, so a pause
moves the deadline by exactly the paused working time. Clocks are written by
the system only (``sudo`` here); people read them.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, create_index
from pytz import utc

from odoo.addons.msp_base.tools import bulk_update

from ..lib.worktime import AroundTheClock, WorkSchedule
from .msp_sla_profile import PRIORITIES, PRIORITY_CODE

KINDS = [("response", "First Response"), ("resolution", "Resolution")]
STATUSES = [
    ("none", "No SLA"),
    ("running", "Running"),
    ("at_risk", "At Risk"),
    ("paused", "Paused"),
    ("met", "Met"),
    ("client_closed", "Closed by Client"),
    ("breached", "Breached"),
]
# Worst first: what a ticket shows when its two clocks differ.
STATUS_RANK = [
    "breached",
    "at_risk",
    "paused",
    "running",
    "client_closed",
    "met",
    "none",
]
ACTIVE_STATES = ("running", "paused")


class MspSlaClock(models.Model):
    _name = "msp.sla.clock"
    _description = "SLA Clock"
    _order = "ticket_id, kind desc, id"
    _rec_name = "kind"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True
    )
    kind = fields.Selection(KINDS, required=True, readonly=True)
    profile_id = fields.Many2one(
        "msp.sla.profile", required=True, ondelete="restrict", readonly=True
    )
    priority = fields.Selection(PRIORITIES, required=True, readonly=True)
    target_hours = fields.Float(string="Target", readonly=True)
    calendar_id = fields.Many2one(
        "resource.calendar",
        readonly=True,
        help="Empty: the clock runs 24x7.",
    )
    warning_ratio = fields.Float(readonly=True, default=0.8)
    start = fields.Datetime(required=True, readonly=True)
    deadline = fields.Datetime(readonly=True)
    warn_at = fields.Datetime(string="Warning At", readonly=True)
    paused_hours = fields.Float(
        readonly=True, default=0.0, help="Working time spent paused."
    )
    pause_ids = fields.One2many("msp.sla.pause", "clock_id", readonly=True)
    state = fields.Selection(
        [
            ("running", "Running"),
            ("paused", "Paused"),
            ("stopped", "Stopped"),
            ("superseded", "Superseded"),
        ],
        required=True,
        default="running",
        readonly=True,
        index=True,
    )
    stopped_at = fields.Datetime(readonly=True)
    stop_reason = fields.Selection(
        [("msp", "By the MSP"), ("client", "Closed by the client")],
        readonly=True,
        help="Who stopped the clock. A clock the client stopped by closing the "
        "ticket from the portal is neither met nor (unless it had already "
        "breached) breached, and stays out of the SLA statistics.",
    )
    actual_hours = fields.Float(
        string="Actual",
        readonly=True,
        default=0.0,
        help="Working time to the stop, pauses excluded.",
    )
    breached = fields.Boolean(readonly=True, index=True)
    at_risk = fields.Boolean(readonly=True)
    warned = fields.Boolean(readonly=True, help="The warning has fired.")
    breach_notified = fields.Boolean(readonly=True, help="The breach has fired.")
    status = fields.Selection(STATUSES, compute="_compute_status")
    activity_id = fields.Many2one(
        "mail.activity",
        readonly=True,
        ondelete="set null",
        help="The owner's activity for this clock: at risk, then breached "
        "(the same activity, updated).",
    )

    def init(self):
        # The cron's two questions, answered from an index of running clocks.
        create_index(
            self.env.cr,
            "msp_sla_clock_running_deadline_idx",
            self._table,
            ["deadline"],
            where="state = 'running' AND breach_notified IS NOT TRUE",
        )
        create_index(
            self.env.cr,
            "msp_sla_clock_running_warn_idx",
            self._table,
            ["warn_at"],
            where="state = 'running' AND warned IS NOT TRUE",
        )

    @api.depends("state", "breached", "at_risk")
    def _compute_status(self):
        for clock in self:
            clock.status = clock._status()

    def _status(self):
        if self.state == "superseded":
            return "none"
        if self.breached:
            return "breached"
        if self.state == "stopped":
            return "client_closed" if self.stop_reason == "client" else "met"
        if self.state == "paused":
            return "paused"
        return "at_risk" if self.at_risk else "running"

    @api.depends("kind", "priority", "state")
    def _compute_display_name(self):
        kinds = dict(KINDS)
        for clock in self:
            clock.display_name = (
                f"{PRIORITY_CODE.get(clock.priority, '')} · {kinds.get(clock.kind)}"
            )

    # ------------------------------------------------------------ schedules

    def _schedules(self):
        """One schedule per calendar, covering every clock of ``self`` from
        its start to well past its target: {calendar_id: schedule}."""
        now = fields.Datetime.now()
        result = {False: AroundTheClock()}
        for calendar in self.calendar_id:
            clocks = self.filtered(lambda c, cal=calendar: c.calendar_id == cal)
            begin = min(clocks.mapped("start")) - timedelta(days=1)
            longest = max(c.target_hours + c.paused_hours for c in clocks)
            end = max([now, *clocks.mapped("start")]) + timedelta(
                days=21 + int(longest / 2)
            )
            result[calendar.id] = self._calendar_schedule(calendar, begin, end)
        return result

    @api.model
    def _calendar_schedule(self, calendar, begin, end):
        """Work intervals of the calendar (attendances, time zone, public
        holidays) from resource.calendar, as naive UTC."""
        intervals = calendar._work_intervals_batch(
            utc.localize(begin), utc.localize(end), compute_leaves=True
        )[False]
        naive = [
            (
                start.astimezone(utc).replace(tzinfo=None),
                stop.astimezone(utc).replace(tzinfo=None),
            )
            for start, stop, _meta in intervals
        ]
        return WorkSchedule(naive, begin, end)

    # ------------------------------------------------------------- maths

    def _recompute_deadlines(self):
        """Deadline and warning moment of every clock, from its start, target
        and paused time. One calendar query per calendar, one UPDATE."""
        clocks = self.filtered(lambda c: c.state != "superseded")
        if not clocks:
            return
        schedules = clocks._schedules()
        values, retry = {}, self.browse()
        for clock in clocks:
            schedule = schedules[clock.calendar_id.id]
            paused = clock.paused_hours
            deadline = schedule.add_hours(clock.start, clock.target_hours + paused)
            warn_at = schedule.add_hours(
                clock.start, clock.target_hours * clock.warning_ratio + paused
            )
            if deadline is None or warn_at is None:
                retry |= clock
                continue
            values[clock.id] = {"deadline": deadline, "warn_at": warn_at}
        bulk_update(self, values)
        if retry:
            # beyond the horizon (a calendar with few working days): rare
            for clock in retry:
                calendar = clock.calendar_id
                deadline = calendar.plan_hours(
                    clock.target_hours + clock.paused_hours,
                    clock.start,
                    compute_leaves=True,
                )
                clock.sudo().write({"deadline": deadline, "warn_at": deadline})

    def _measure(self, schedules, begin, end):
        return schedules[self.calendar_id.id].hours_between(begin, end)

    def _hours_so_far(self, now=None):
        """Working time each clock has run, pauses excluded: to its stop,
        or to ``now`` (default: now) while it runs or is paused.
        {clock id: hours}"""
        now = now or fields.Datetime.now()
        result = {}
        live = self.filtered(lambda c: c.state in ACTIVE_STATES)
        for clock in self - live:
            result[clock.id] = clock.actual_hours
        if live:
            schedules = live._schedules()
            for clock in live:
                hours = clock._measure(schedules, clock.start, now)
                hours -= clock.paused_hours
                for pause in clock.pause_ids.filtered(lambda p: not p.end):
                    hours -= clock._measure(schedules, pause.start, now)
                result[clock.id] = max(hours, 0.0)
        return result

    # ---------------------------------------------------------- life cycle

    def _pause(self, now):
        running = self.filtered(lambda c: c.state == "running")
        if not running:
            return
        self.env["msp.sla.pause"].sudo().create(
            [
                {"clock_id": clock.id, "start": now, "reason": "waiting"}
                for clock in running
            ]
        )
        running.sudo().write({"state": "paused"})

    def _resume(self, now):
        paused = self.filtered(lambda c: c.state == "paused")
        if not paused:
            return
        paused._close_pauses(now)
        paused.sudo().write({"state": "running"})
        paused._recompute_deadlines()

    def _close_pauses(self, now):
        """End the open pause of each clock and add its working time."""
        open_pauses = self.pause_ids.filtered(lambda p: not p.end)
        if not open_pauses:
            return
        schedules = self._schedules()
        for pause in open_pauses:
            hours = pause.clock_id._measure(schedules, pause.start, now)
            pause.sudo().write({"end": now, "hours": hours})
        for clock in self:
            clock.sudo().paused_hours = sum(clock.pause_ids.mapped("hours"))

    def _stop(self, now, by_client=False):
        """Stop running or paused clocks at ``now``: met or breached; or,
        ``by_client`` (the client closed the ticket), *closed by client*:
        not met, and breached only if the deadline had already passed."""
        active = self.filtered(lambda c: c.state in ACTIVE_STATES)
        if not active:
            return
        active._close_pauses(now)
        active._recompute_deadlines()
        schedules = active._schedules()
        for clock in active:
            actual = clock._measure(schedules, clock.start, now) - clock.paused_hours
            clock.sudo().write(
                {
                    "state": "stopped",
                    "stop_reason": "client" if by_client else "msp",
                    "stopped_at": now,
                    "actual_hours": max(actual, 0.0),
                    "breached": clock.breached
                    or bool(clock.deadline and now > clock.deadline),
                    "at_risk": False,
                }
            )
        late = active.filtered(lambda c: c.breached and not c.breach_notified)
        late._fire_breach()
        active._breaches()._record_actual()

    def _pause_from_start(self):
        """Tickets created in a waiting stage start paused."""
        self.env["msp.sla.pause"].sudo().create(
            [{"clock_id": c.id, "start": c.start, "reason": "waiting"} for c in self]
        )
        self.sudo().write({"state": "paused"})

    def _copy_history(self, previous):
        """Carry the pauses and the stop of the clock this one replaces,
        measuring the paused time again on this clock's calendar."""
        self.ensure_one()
        schedules = self._schedules()
        pauses = [
            {
                "clock_id": self.id,
                "start": pause.start,
                "end": pause.end,
                "reason": pause.reason,
                "hours": self._measure(schedules, pause.start, pause.end)
                if pause.end
                else 0.0,
            }
            for pause in previous.pause_ids
        ]
        self.env["msp.sla.pause"].sudo().create(pauses)
        self.sudo().write(
            {
                "paused_hours": sum(p["hours"] for p in pauses),
                "stopped_at": previous.stopped_at,
                "stop_reason": previous.stop_reason,
                # the owner's activity follows the clock that replaces it
                "activity_id": previous.activity_id.id,
            }
        )

    def _restop(self, fire=True):
        """Outcome of a rebuilt (or corrected) clock that had already stopped."""
        schedules = self._schedules()
        for clock in self:
            actual = clock._measure(schedules, clock.start, clock.stopped_at)
            actual -= clock.paused_hours
            clock.sudo().write(
                {
                    "actual_hours": max(actual, 0.0),
                    "breached": clock.stopped_at > clock.deadline,
                }
            )
        if fire:
            self.filtered(lambda c: c.breached and not c.breach_notified)._fire_breach()

    def _is_late(self, now):
        """Whether this clock missed its deadline: stopped after it, or
        running (or paused) when it passed."""
        self.ensure_one()
        if not self.deadline:
            return False
        if self.state == "stopped":
            return bool(self.stopped_at and self.stopped_at > self.deadline)
        if self.state == "paused":
            pause = self.pause_ids.filtered(lambda p: not p.end)[:1]
            return (pause.start if pause else now) >= self.deadline
        return now >= self.deadline

    def _reconcile_breaches(self, previous, now):
        """``self`` replaced the superseded clocks ``previous`` (priority or
        profile change). Each breach of a previous clock carries over once
        to the new clock of its kind when that one is late too (which then
        counts as breached and notified: no second breach), and is retired
        with a note otherwise, so the breach records, the ticket and the
        analysis agree."""
        breaches = previous._breaches()
        for kind in set(breaches.mapped("kind")):
            old = breaches.filtered(lambda b, k=kind: b.kind == k)
            clock = self.filtered(lambda c, k=kind: c.kind == k)[:1]
            if clock and clock._is_late(now):
                old[:1]._carry_over(clock)
                old = old[1:]
                clock.sudo().write(
                    {
                        "breached": True,
                        "breach_notified": True,
                        "warned": True,
                        "at_risk": False,
                    }
                )
            if old:
                old._retire(
                    self.env._(
                        "the targets changed to %(new)s and the clock is not late.",
                        new=clock.display_name if clock else self.env._("no SLA"),
                    )
                )

    def _reopen(self, now):
        """A reopened ticket's resolution clock runs again, and so does a
        response clock the client's close stopped (nobody had answered); the
        time it was closed is a pause, so the deadline moves by it."""
        stopped = self.filtered(
            lambda c: (
                c.state == "stopped"
                and (c.kind == "resolution" or c.stop_reason == "client")
            )
        )
        if not stopped:
            return
        schedules = stopped._schedules()
        for clock in stopped:
            hours = clock._measure(schedules, clock.stopped_at, now)
            self.env["msp.sla.pause"].sudo().create(
                {
                    "clock_id": clock.id,
                    "start": clock.stopped_at,
                    "end": now,
                    "hours": hours,
                    "reason": "closed",
                }
            )
            clock.sudo().write(
                {
                    "state": "running",
                    "stop_reason": False,
                    "stopped_at": False,
                    "actual_hours": 0.0,
                    "paused_hours": clock.paused_hours + hours,
                }
            )
        stopped._recompute_deadlines()

    # --------------------------------------------------- warnings, breaches

    @api.model
    def _cron_check(self):
        """Fire each warning and each breach once. Two indexed searches when
        nothing crosses, whatever the number of open tickets."""
        now = fields.Datetime.now()
        # a clock that breached is past its warning for good: never an
        # "at risk" after the breach
        to_warn = self.sudo().search(
            [
                ("state", "=", "running"),
                ("warned", "=", False),
                ("breach_notified", "=", False),
                ("warn_at", "<=", now),
            ]
        )
        to_breach = self.sudo().search(
            [
                ("state", "=", "running"),
                ("breach_notified", "=", False),
                ("deadline", "<=", now),
            ]
        )
        to_warn -= to_breach
        if to_warn:
            to_warn._fire_warning()
        if to_breach:
            to_breach.write({"breached": True})
            to_breach._fire_breach()
        (to_warn | to_breach).ticket_id._msp_sla_sync_status()

    def _fire_warning(self):
        self.write({"warned": True, "at_risk": True})
        for clock in self:
            clock.ticket_id._msp_sla_notify(clock, "warning")
        self.ticket_id._msp_sla_on_warning(self)

    def _fire_breach(self):
        self.write({"breach_notified": True, "warned": True, "at_risk": False})
        self.env["msp.sla.breach"].sudo().create(
            [clock._breach_values() for clock in self]
        )
        for clock in self:
            clock.ticket_id._msp_sla_notify(clock, "breach")
        self.ticket_id._msp_sla_on_breach(self)

    def _breach_values(self):
        ticket = self.ticket_id
        return {
            "clock_id": self.id,
            "ticket_id": ticket.id,
            "kind": self.kind,
            "priority": self.priority,
            "partner_id": ticket.commercial_partner_id.id,
            "user_id": ticket.user_id.id,
            "team_id": ticket.team_id.id,
            "company_id": self.company_id.id,
            "target_hours": self.target_hours,
            "breached_at": self.deadline,
        }

    def _breaches(self):
        return self.env["msp.sla.breach"].sudo().search([("clock_id", "in", self.ids)])

    # --------------------------------------------------------------- report

    @api.model
    def _percentiles(self, date_from, date_to, company_ids, profile_ids=None):
        """P50/P75/P95 of actual working hours per priority and kind, for
        clocks stopped in the period (of some profiles only if given),
        computed in PostgreSQL. Clocks the client stopped by closing the
        ticket count only if they had breached before."""
        self.flush_model()
        profile_filter = (
            SQL("AND profile_id = ANY(%s)", list(profile_ids)) if profile_ids else SQL()
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT priority, kind, count(*),
                       percentile_cont(0.5)
                           WITHIN GROUP (ORDER BY COALESCE(actual_hours, 0)),
                       percentile_cont(0.75)
                           WITHIN GROUP (ORDER BY COALESCE(actual_hours, 0)),
                       percentile_cont(0.95)
                           WITHIN GROUP (ORDER BY COALESCE(actual_hours, 0)),
                       avg(CASE WHEN breached THEN 0 ELSE 100 END)
                  FROM msp_sla_clock
                 WHERE state = 'stopped'
                   AND (stop_reason IS DISTINCT FROM 'client' OR breached)
                   AND stopped_at >= %s AND stopped_at < %s
                   AND company_id = ANY(%s) %s
                 GROUP BY priority, kind
                 ORDER BY priority DESC, kind DESC
                """,
                date_from,
                date_to,
                list(company_ids),
                profile_filter,
            )
        )
        return [
            {
                "priority": priority,
                "kind": kind,
                "count": count,
                "p50": p50,
                "p75": p75,
                "p95": p95,
                "hit_rate": hit,
            }
            for priority, kind, count, p50, p75, p95, hit in self.env.cr.fetchall()
        ]


class MspSlaPause(models.Model):
    _name = "msp.sla.pause"
    _description = "SLA Clock Pause"
    _order = "clock_id, start"

    clock_id = fields.Many2one(
        "msp.sla.clock", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="clock_id.company_id", store=True, index=True, precompute=True
    )
    start = fields.Datetime(required=True)
    end = fields.Datetime()
    hours = fields.Float(string="Working Time Paused")
    reason = fields.Selection(
        [("waiting", "Waiting on client"), ("closed", "Ticket closed")],
        required=True,
        default="waiting",
    )
