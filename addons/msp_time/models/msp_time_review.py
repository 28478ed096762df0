# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The technician's day: "My day" figures and the daily review record."""

from datetime import datetime, time, timedelta
from itertools import pairwise

import pytz
from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

GAP_MINUTES = 5  # shorter pauses between entries are not gaps


def merge_intervals(intervals):
    """Sorted, merged ``(start, end)`` intervals."""
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def gaps_between(intervals, minimum_minutes=GAP_MINUTES):
    """The pauses of at least ``minimum_minutes`` between merged intervals."""
    merged = merge_intervals(intervals)
    gaps = []
    for (_start, end), (next_start, _end) in pairwise(merged):
        if (next_start - end).total_seconds() >= minimum_minutes * 60:
            gaps.append((end, next_start))
    return gaps


class MspTimeReview(models.Model):
    _name = "msp.time.review"
    _description = "Daily Time Review"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, user_id"
    _rec_names_search = ["user_id"]

    user_id = fields.Many2one(
        "res.users",
        string="Technician",
        required=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.user,
    )
    date = fields.Date(required=True, index=True, default=fields.Date.context_today)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        [("pending", "Not Reviewed"), ("reviewed", "Reviewed")],
        default="pending",
        required=True,
        tracking=True,
    )
    reviewed_on = fields.Datetime(readonly=True)
    reviewed_by_id = fields.Many2one("res.users", readonly=True)

    # the day's figures, computed on read
    entry_ids = fields.Many2many(
        "account.analytic.line", string="Entries", compute="_compute_day"
    )
    running_timer_id = fields.Many2one("account.analytic.line", compute="_compute_day")
    draft_count = fields.Integer(string="Drafts", compute="_compute_day")
    total_hours = fields.Float(string="Logged (h)", compute="_compute_day")
    billed_hours = fields.Float(string="Billed (h)", compute="_compute_day")
    first_start = fields.Datetime(string="First Entry", compute="_compute_day")
    last_end = fields.Datetime(string="Last Entry Ends", compute="_compute_day")
    gap_minutes = fields.Integer(string="Gaps (min)", compute="_compute_day")
    gaps_text = fields.Text(string="Gaps", compute="_compute_day")
    untimed_ticket_ids = fields.Many2many(
        "helpdesk.ticket",
        string="Tickets Touched Without Time",
        compute="_compute_day",
    )

    _sql_constraints = [
        (
            "user_date_unique",
            "UNIQUE (user_id, date)",
            "One review per technician and day.",
        )
    ]

    @api.depends("user_id", "date")
    def _compute_display_name(self):
        for review in self:
            review.display_name = f"{review.user_id.name} · {review.date}"

    # ------------------------------------------------------------ figures

    def _msp_day_bounds(self):
        """The review's day in UTC (naive), in the technician's time zone."""
        self.ensure_one()
        tz = pytz.timezone(self.user_id.tz or self.env.user.tz or "UTC")
        start = tz.localize(datetime.combine(self.date, time.min))
        end = tz.localize(datetime.combine(self.date + timedelta(days=1), time.min))
        utc = pytz.utc
        return (
            start.astimezone(utc).replace(tzinfo=None),
            end.astimezone(utc).replace(tzinfo=None),
        )

    def _msp_day_data(self):
        """Everything "My day" shows, in a handful of queries whatever the
        number of entries in the database."""
        self.ensure_one()
        Line = self.env["account.analytic.line"]
        user = self.user_id
        lines = Line.search_fetch(
            [
                ("user_id", "=", user.id),
                ("date", "=", self.date),
                ("project_id", "!=", False),
            ],
            [
                "date_time",
                "unit_amount",
                "msp_billed_hours",
                "ticket_id",
                "msp_state",
                "msp_adjusted_line_id",
                "msp_timer_running",
            ],
            order="date_time, id",
        )
        running = Line.search(
            [("user_id", "=", user.id), ("msp_timer_running", "=", True)], limit=1
        )
        now = fields.Datetime.now()
        intervals = [
            (line.date_time, line.date_time + timedelta(hours=line.unit_amount))
            for line in lines
            if line.date_time and line.unit_amount > 0 and not line.msp_adjusted_line_id
        ]
        day_start, day_end = self._msp_day_bounds()
        if running and day_start <= running.date_time < day_end:
            intervals.append((running.date_time, min(now, day_end)))
        gaps = gaps_between(intervals)
        untimed = self._msp_untimed_tickets(lines.ticket_id, day_start, day_end)
        return {
            "lines": lines,
            "running": running,
            "total_hours": sum(lines.mapped("unit_amount")),
            "billed_hours": sum(lines.mapped("msp_billed_hours")),
            "draft_count": len(lines.filtered(lambda x: x.msp_state == "draft")),
            "first_start": min((i[0] for i in intervals), default=False),
            "last_end": max((i[1] for i in intervals), default=False),
            "gaps": gaps,
            "untimed_tickets": untimed,
        }

    def _msp_untimed_tickets(self, timed_tickets, day_start, day_end):
        """Tickets the technician wrote on or moved that day (any chatter
        message or tracked change by them) that got no time from them."""
        partner = self.user_id.partner_id
        self.env["mail.message"].flush_model(["model", "res_id", "author_id", "date"])
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT res_id FROM mail_message
                 WHERE author_id = %s AND model = 'helpdesk.ticket'
                   AND date >= %s AND date < %s AND res_id IS NOT NULL
                """,
                partner.id,
                day_start,
                day_end,
            )
        )
        ids = {row[0] for row in self.env.cr.fetchall()} - set(timed_tickets.ids)
        if not ids:
            return self.env["helpdesk.ticket"]
        return self.env["helpdesk.ticket"].search([("id", "in", list(ids))])

    def _format_gaps(self, gaps):
        tz = pytz.timezone(self.user_id.tz or self.env.user.tz or "UTC")

        def local(moment):
            return pytz.utc.localize(moment).astimezone(tz).strftime("%H:%M")

        return "\n".join(
            self.env._(
                "%(start)s-%(end)s (%(minutes)s min)",
                start=local(start),
                end=local(end),
                minutes=round((end - start).total_seconds() / 60),
            )
            for start, end in gaps
        )

    @api.depends("user_id", "date")
    def _compute_day(self):
        for review in self:
            if not (review.user_id and review.date):
                review.update(
                    {
                        "entry_ids": False,
                        "running_timer_id": False,
                        "draft_count": 0,
                        "total_hours": 0.0,
                        "billed_hours": 0.0,
                        "first_start": False,
                        "last_end": False,
                        "gap_minutes": 0,
                        "gaps_text": False,
                        "untimed_ticket_ids": False,
                    }
                )
                continue
            data = review._msp_day_data()
            review.update(
                {
                    "entry_ids": data["lines"],
                    "running_timer_id": data["running"],
                    "draft_count": data["draft_count"],
                    "total_hours": data["total_hours"],
                    "billed_hours": data["billed_hours"],
                    "first_start": data["first_start"],
                    "last_end": data["last_end"],
                    "gap_minutes": round(
                        sum((e - s).total_seconds() for s, e in data["gaps"]) / 60
                    ),
                    "gaps_text": review._format_gaps(data["gaps"]) or False,
                    "untimed_ticket_ids": data["untimed_tickets"],
                }
            )

    # ------------------------------------------------------------ actions

    @api.model
    def _msp_review_for(self, user, day):
        review = self.search([("user_id", "=", user.id), ("date", "=", day)], limit=1)
        if not review:
            review = self.create(
                {"user_id": user.id, "date": day, "company_id": user.company_id.id}
            )
        return review

    def _msp_form_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("My Day"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(self.env.ref("msp_time.msp_time_review_view_form").id, "form")],
            "target": "current",
        }

    @api.model
    def action_msp_my_day(self):
        """Today's review of the current user ("My day")."""
        today = fields.Date.context_today(self)
        return self._msp_review_for(self.env.user, today)._msp_form_action()

    def action_previous_day(self):
        self.ensure_one()
        day = self.date - timedelta(days=1)
        return self._msp_review_for(self.user_id, day)._msp_form_action()

    def action_next_day(self):
        self.ensure_one()
        day = self.date + timedelta(days=1)
        return self._msp_review_for(self.user_id, day)._msp_form_action()

    def _msp_check_own_or_manager(self):
        manager = self.env.user.has_group("msp_base.group_msp_dispatcher")
        if not manager and any(r.user_id != self.env.user for r in self):
            raise AccessError(self.env._("You can only review your own day."))

    def action_confirm_drafts(self):
        self._msp_check_own_or_manager()
        for review in self:
            review.entry_ids.msp_action_confirm()
        return True

    def action_mark_reviewed(self):
        self._msp_check_own_or_manager()
        self.write(
            {
                "state": "reviewed",
                "reviewed_on": fields.Datetime.now(),
                "reviewed_by_id": self.env.uid,
            }
        )
        self.activity_unlink(["mail.mail_activity_data_todo"])
        return True

    @api.model
    def _msp_reviewers(self):
        """Users expected to review their day: technicians with an employee."""
        group = self.env.ref("msp_base.group_msp_technician")
        employees = (
            self.env["hr.employee"]
            .sudo()
            .search([("user_id", "in", group.sudo().users.ids)])
        )
        return employees.user_id.filtered(lambda user: user.active and not user.share)

    @api.model
    def _msp_ensure_reviews(self, day):
        """One review record per expected reviewer for ``day``."""
        users = self._msp_reviewers()
        have = self.sudo().search([("date", "=", day), ("user_id", "in", users.ids)])
        missing = users - have.user_id
        created = self.sudo().create(
            [
                {"user_id": user.id, "date": day, "company_id": user.company_id.id}
                for user in missing
            ]
        )
        return have | created

    @api.model
    def action_msp_not_reviewed(self):
        """Managers: who has not reviewed yesterday."""
        yesterday = fields.Date.context_today(self) - timedelta(days=1)
        self._msp_ensure_reviews(yesterday)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Not Reviewed Yesterday"),
            "res_model": self._name,
            "view_mode": "list,form",
            "domain": [("date", "=", yesterday), ("state", "=", "pending")],
            "context": {"create": False},
        }

    @api.model
    def _cron_msp_review_reminder(self):
        """Off by default: an activity for each technician who has not
        reviewed yesterday."""
        yesterday = fields.Date.context_today(self) - timedelta(days=1)
        reviews = self._msp_ensure_reviews(yesterday).filtered(
            lambda r: r.state == "pending" and not r.activity_ids
        )
        for review in reviews:
            review.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=fields.Date.context_today(self),
                summary=self.env._("Review your time for %(day)s", day=yesterday),
                user_id=review.user_id.id,
            )
        return len(reviews)
