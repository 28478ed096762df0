# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from .msp_sla_clock import ACTIVE_STATES, KINDS, STATUS_RANK, STATUSES
from .msp_sla_profile import PRIORITY_CODE

# Changing any of these recomputes the targets from the ticket's creation.
# Kept by the clocks (and the contract resolution), never typed in.
SYSTEM_FIELDS = frozenset(
    {
        "msp_contract_id",
        "msp_sla_profile_id",
        "msp_sla_clock_ids",
        "msp_sla_response_deadline",
        "msp_sla_response_status",
        "msp_sla_resolution_deadline",
        "msp_sla_resolution_status",
        "msp_sla_status",
        "msp_sla_breached",
        "msp_sla_at_risk",
        "msp_sla_deadline",
        "msp_sla_waiting_from_stage_id",
    }
)
SLA_KEYS = {
    "priority",
    "partner_id",
    "commercial_partner_id",
    "team_id",
    "company_id",
    "msp_contract_id",
}


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    msp_contract_id = fields.Many2one(
        "contract.contract",
        string="Contract",
        compute="_compute_msp_contract_id",
        store=True,
        index=True,
        help="The client's running customer contract (its SLA profile applies).",
    )
    msp_sla_profile_id = fields.Many2one(
        "msp.sla.profile", string="SLA Profile", readonly=True, index=True, copy=False
    )
    msp_sla_clock_ids = fields.One2many(
        "msp.sla.clock", "ticket_id", string="SLA Clocks", readonly=True, copy=False
    )
    # Status fields are stored for search, group-by and sorting; the clocks
    # keep them up to date in bulk (see _msp_sla_sync_status).
    msp_sla_response_deadline = fields.Datetime(
        string="Response Due", readonly=True, copy=False
    )
    msp_sla_response_status = fields.Selection(
        STATUSES, string="Response SLA", readonly=True, copy=False, default="none"
    )
    msp_sla_resolution_deadline = fields.Datetime(
        string="Resolution Due", readonly=True, copy=False
    )
    msp_sla_resolution_status = fields.Selection(
        STATUSES, string="Resolution SLA", readonly=True, copy=False, default="none"
    )
    msp_sla_status = fields.Selection(
        STATUSES,
        string="SLA Status",
        readonly=True,
        copy=False,
        default="none",
        index=True,
        tracking=True,
        help="The worse of the two clocks.",
    )
    msp_sla_breached = fields.Boolean(
        string="SLA Breached", readonly=True, copy=False, index=True
    )
    msp_sla_at_risk = fields.Boolean(string="SLA At Risk", readonly=True, copy=False)
    msp_sla_deadline = fields.Datetime(
        string="Next SLA Deadline", readonly=True, copy=False, index=True
    )
    msp_sla_breach_count = fields.Integer(compute="_compute_msp_sla_breach_count")
    msp_sla_overrun_hours = fields.Float(
        string="SLA Overrun So Far",
        compute="_compute_msp_sla_overrun_hours",
        help="Working time past the target of the latest breached clock "
        "that still runs (on the SLA calendar), from the moment its deadline "
        "passes: grows until the ticket is answered or resolved.",
    )
    msp_sla_waiting_from_stage_id = fields.Many2one(
        "helpdesk.ticket.stage",
        string="Waiting Since Stage",
        readonly=True,
        copy=False,
        help="The stage the ticket left to wait on the client: a client reply "
        "moves it back there (unless the waiting stage names another).",
    )

    # ------------------------------------------------------------ contract

    @api.depends("commercial_partner_id", "company_id")
    def _compute_msp_contract_id(self):
        contracts = self._msp_contracts_on(fields.Date.context_today(self))
        for ticket in self:
            ticket.msp_contract_id = contracts[ticket.id]

    def _msp_contracts_on(self, day, keep_linked=False):
        """{ticket id: the client's customer contract in force on ``day``}
        (one query). A contract with an SLA profile wins, then the most
        recent. ``keep_linked``: the ticket's own contract when it is in
        force that day (a link set by hand stays)."""
        contracts = (
            self.env["contract.contract"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "in", self.commercial_partner_id.ids),
                    ("contract_type", "=", "sale"),
                    ("date_start", "<=", day),
                    "|",
                    ("date_end", "=", False),
                    ("date_end", ">=", day),
                ]
            )
        )
        contracts = contracts.sorted(
            lambda c: (bool(c.msp_sla_profile_id), c.date_start, c.id), reverse=True
        )
        result = {}
        for ticket in self:
            linked = ticket.sudo().msp_contract_id if keep_linked else None
            if linked and linked._msp_in_force(day):
                result[ticket.id] = linked
                continue
            result[ticket.id] = contracts.filtered(
                lambda c, t=ticket: (
                    c.commercial_partner_id == t.commercial_partner_id
                    and c.company_id == t.company_id
                )
            )[:1]
        return result

    @api.model
    def _cron_msp_sla_follow_contracts(self):
        """Contracts start and end by date, not by a write: re-resolve the
        open tickets whose contract in force today is not the stored one
        (one query finds them, whatever the number of tickets), then rebuild
        their clocks."""
        today = fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT t.id
                  FROM helpdesk_ticket t
                  JOIN helpdesk_ticket_stage s ON s.id = t.stage_id
             LEFT JOIN LATERAL (
                        SELECT c.id
                          FROM contract_contract c
                         WHERE c.commercial_partner_id = t.commercial_partner_id
                           AND c.company_id IS NOT DISTINCT FROM t.company_id
                           AND c.contract_type = 'sale'
                           AND c.active
                           AND c.date_start <= %(today)s
                           AND (c.date_end IS NULL OR c.date_end >= %(today)s)
                      ORDER BY c.msp_sla_profile_id IS NOT NULL DESC,
                               c.date_start DESC, c.id DESC
                         LIMIT 1) cur ON true
                 WHERE s.closed IS NOT TRUE
                   AND t.commercial_partner_id IS NOT NULL
                   AND t.msp_contract_id IS DISTINCT FROM cur.id
                """,
                today=today,
            )
        )
        tickets = self.sudo().browse(row[0] for row in self.env.cr.fetchall())
        if tickets:
            self.env.add_to_compute(tickets._fields["msp_contract_id"], tickets)
            tickets._msp_sla_rebuild()
        return tickets

    def _compute_msp_sla_overrun_hours(self):
        clocks = (
            self.env["msp.sla.clock"]
            .sudo()
            .search(
                [
                    ("ticket_id", "in", [t.id for t in self if isinstance(t.id, int)]),
                    ("state", "in", list(ACTIVE_STATES)),
                    # late as soon as the deadline passes, before the cron
                    # flags it (the cron's own test: running, past due)
                    "|",
                    ("breached", "=", True),
                    "&",
                    ("state", "=", "running"),
                    ("deadline", "<=", fields.Datetime.now()),
                ]
            )
        )
        hours = clocks._hours_so_far()
        overrun = defaultdict(float)
        for clock in clocks:
            late = max(hours[clock.id] - clock.target_hours, 0.0)
            overrun[clock.ticket_id.id] = max(overrun[clock.ticket_id.id], late)
        for ticket in self:
            ticket.msp_sla_overrun_hours = overrun[ticket.id]

    def _compute_msp_sla_breach_count(self):
        counts = dict(
            self.env["msp.sla.breach"]._read_group(
                [("ticket_id", "in", self.ids)], ["ticket_id"], ["__count"]
            )
        )
        for ticket in self:
            ticket.msp_sla_breach_count = counts.get(ticket, 0)

    # ------------------------------------------------------------ profiles

    def _msp_sla_profiles(self):
        """{ticket id: profile}: contract, else client, else team, else
        company default."""
        return {
            ticket.id: (
                ticket.msp_contract_id.msp_sla_profile_id
                or ticket.commercial_partner_id.msp_sla_profile_id
                or ticket.team_id.msp_sla_profile_id
                or ticket.company_id.msp_sla_profile_id
            )
            for ticket in self
        }

    def _msp_sla_clock_values(self, profile):
        """Values of the two clocks this ticket should have under
        ``profile`` (empty when it has no target for the priority)."""
        self.ensure_one()
        target = profile._target_for(self.priority) if profile else None
        if not target:
            return []
        calendar = False if target.around_the_clock else profile.calendar_id.id
        base = {
            "ticket_id": self.id,
            "company_id": self.company_id.id,
            "profile_id": profile.id,
            "priority": self.priority,
            "calendar_id": calendar,
            "warning_ratio": profile.warning_percent / 100.0,
            "start": self.create_date,
        }
        return [
            dict(base, kind="response", target_hours=target.response_hours),
            dict(base, kind="resolution", target_hours=target.resolution_hours),
        ]

    # ------------------------------------------------------------ life cycle

    def _msp_system_fields(self):
        return super()._msp_system_fields() | SYSTEM_FIELDS

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        # The system runs the clocks, whoever (portal included) made the ticket.
        tickets.sudo()._msp_sla_start_clocks()
        return tickets

    def write(self, vals):
        old_stages = {t.id: t.stage_id for t in self} if "stage_id" in vals else None
        result = super().write(vals)
        if old_stages is not None:
            self.sudo()._msp_sla_on_stage_change(old_stages)
        if SLA_KEYS & set(vals):
            self.sudo()._msp_sla_rebuild()
        return result

    def _msp_sla_start_clocks(self):
        """Start the clocks of tickets that have none, from their creation."""
        tickets = self.filtered(lambda t: not t.msp_sla_clock_ids)
        profiles = tickets._msp_sla_profiles()
        vals_list = []
        for ticket in tickets:
            vals_list += ticket._msp_sla_clock_values(profiles[ticket.id])
        clocks = self.env["msp.sla.clock"].sudo().create(vals_list)
        by_profile = defaultdict(list)
        for ticket in tickets:
            if profiles[ticket.id]:
                by_profile[profiles[ticket.id]].append(ticket.id)
        for profile, ticket_ids in by_profile.items():
            self.browse(ticket_ids).write({"msp_sla_profile_id": profile.id})
        waiting = clocks.filtered(lambda c: c.ticket_id.stage_id.msp_sla_pause)
        waiting._pause_from_start()
        clocks._recompute_deadlines()
        if not self.env.context.get("msp_sla_history"):
            closed = clocks.filtered(lambda c: c.ticket_id.stage_id.closed)
            for clock in closed:
                clock._stop(clock.ticket_id.closed_date or clock.start)
        tickets._msp_sla_sync_status()
        return clocks

    def _msp_sla_on_stage_change(self, old_stages):
        now = fields.Datetime.now()
        for ticket in self:
            old, new = old_stages[ticket.id], ticket.stage_id
            if new.msp_sla_pause and old and not old.msp_sla_pause and not old.closed:
                ticket.msp_sla_waiting_from_stage_id = old
            clocks = ticket.msp_sla_clock_ids.filtered(
                lambda c: c.state != "superseded"
            )
            if old == new or not clocks:
                continue
            if new.closed:
                clocks._stop(now, by_client=ticket._msp_is_client_close())
                continue
            if old.closed:
                clocks._reopen(now)
            if new.msp_sla_responding:
                clocks.filtered(lambda c: c.kind == "response")._stop(now)
            if new.msp_sla_pause:
                clocks._pause(now)
            else:
                clocks._resume(now)
        self._msp_sla_sync_status()

    def _msp_sla_register_response(self, when):
        clocks = self.msp_sla_clock_ids.filtered(
            lambda c: c.kind == "response" and c.state in ACTIVE_STATES
        )
        if clocks:
            clocks._stop(when)
            self._msp_sla_sync_status()

    def _message_post_after_hook(self, message, msg_vals):
        result = super()._message_post_after_hook(message, msg_vals)
        if self._msp_sla_is_response(message):
            self.sudo()._msp_sla_register_response(
                message.date or fields.Datetime.now()
            )
        elif self._msp_sla_is_client_reply(message):
            self.sudo()._msp_sla_resume_on_reply()
        return result

    def _msp_sla_is_client_reply(self, message):
        """A public message or e-mail from outside the MSP: the client (or
        anyone not an internal user) by mail or on the portal. Not a note,
        not the system, not an internal user."""
        message = message.sudo()
        if message.message_type not in ("comment", "email"):
            return False
        if message.subtype_id != self.env.ref("mail.mt_comment"):
            return False
        author = message.author_id
        if author == self.env.ref("base.partner_root"):
            return False
        return not any(
            not user.share for user in author.with_context(active_test=False).user_ids
        )

    def _msp_sla_resume_on_reply(self):
        """The client answered a ticket waiting on them: move it to the
        waiting stage's reply stage, else back where it came from, else the
        team's first open stage that does not pause; the stage change
        resumes the clocks."""
        for ticket in self:
            stage = ticket.stage_id
            if not (stage.msp_sla_pause and stage.msp_sla_resume_on_reply):
                continue
            target = (
                stage.msp_sla_resume_stage_id
                or ticket.msp_sla_waiting_from_stage_id
                or ticket._msp_sla_first_open_stage()
            )
            if target and target != stage:
                ticket.write(
                    {"stage_id": target.id, "msp_sla_waiting_from_stage_id": False}
                )

    def _msp_sla_first_open_stage(self):
        self.ensure_one()
        return self.env["helpdesk.ticket.stage"].search(
            [
                ("closed", "=", False),
                ("msp_sla_pause", "=", False),
                "|",
                ("team_ids", "=", False),
                ("team_ids", "in", self.team_id.ids),
                "|",
                ("company_id", "=", False),
                ("company_id", "=", self.company_id.id),
            ],
            order="sequence, id",
            limit=1,
        )

    def _msp_sla_is_response(self, message):
        """A public message or e-mail written by a person of the MSP (an
        internal user other than the system) is a first response; internal
        notes and the client's own mails are not."""
        message = message.sudo()
        if message.message_type not in ("comment", "email", "email_outgoing"):
            return False
        if message.subtype_id != self.env.ref("mail.mt_comment"):
            return False
        author = message.author_id
        if not author or author == self.env.ref("base.partner_root"):
            return False
        return any(
            not user.share for user in author.with_context(active_test=False).user_ids
        )

    def _msp_sla_rebuild(self):
        """Targets changed (priority, client, team, contract): supersede the
        clocks and rebuild them from the ticket's creation, carrying their
        pauses and stops, so history is kept and the maths start over."""
        profiles = self._msp_sla_profiles()
        Clock = self.env["msp.sla.clock"].sudo()
        now = fields.Datetime.now()
        for ticket in self:
            old = ticket.msp_sla_clock_ids.filtered(lambda c: c.state != "superseded")
            new_vals = ticket._msp_sla_clock_values(profiles[ticket.id])
            if ticket._msp_sla_same_targets(old, new_vals):
                continue
            new = Clock.browse()
            for vals in new_vals:
                previous = old.filtered(lambda c, k=vals["kind"]: c.kind == k)
                new |= Clock.create(dict(vals, state=previous.state or "running"))
                if previous:
                    new[-1]._copy_history(previous)
            old.write({"state": "superseded"})
            ticket.msp_sla_profile_id = profiles[ticket.id]
            new._recompute_deadlines()
            stopped = new.filtered(lambda c: c.state == "stopped")
            stopped._restop(fire=False)
            new._reconcile_breaches(old, now)
            # late under the new targets only: a breach of its own, once
            stopped.filtered(
                lambda c: c.breached and not c.breach_notified
            )._fire_breach()
            ticket._msp_sla_post_rebuild(old, new)
        self._msp_sla_sync_status()

    def _msp_sla_same_targets(self, clocks, new_vals):
        current = {
            (c.kind, c.profile_id.id, c.priority, c.target_hours, c.calendar_id.id)
            for c in clocks
        }
        wanted = {
            (
                v["kind"],
                v["profile_id"],
                v["priority"],
                v["target_hours"],
                v["calendar_id"],
            )
            for v in new_vals
        }
        return current == wanted

    def _msp_sla_post_rebuild(self, old, new):
        def describe(clocks):
            if not clocks:
                return self.env._("no SLA")
            clock = clocks[:1]
            return f"{PRIORITY_CODE[clock.priority]} ({clock.profile_id.name})"

        self.message_post(
            body=self.env._(
                "SLA targets recomputed from the ticket's creation: %(old)s → %(new)s.",
                old=describe(old),
                new=describe(new),
            ),
            subtype_xmlid="mail.mt_note",
            author_id=self.env.ref("base.partner_root").id,
        )

    # --------------------------------------------------------------- status

    @api.model
    def _msp_sla_effective_status(self, status, deadline, now=None):
        """``status`` as it stands at ``now``: a running clock (on track or at
        risk) whose ``deadline`` has passed is breached, whatever the stored
        status says until the cron flags it (the cron's own test). One word
        for one situation, on the portal as in the backend countdown."""
        if status in ("running", "at_risk") and deadline:
            if deadline <= (now or fields.Datetime.now()):
                return "breached"
        return status

    def _msp_sla_sync_status(self):
        """Write the stored SLA status of these tickets from their clocks,
        through the ORM (automation rules and tracking see the changes):
        only the values that change, one write per distinct set of values
        (statuses take few values; the ORM flushes the writes of many
        tickets in one UPDATE per set of fields)."""
        if not self:
            return
        clocks = (
            self.env["msp.sla.clock"]
            .sudo()
            .search([("ticket_id", "in", self.ids), ("state", "!=", "superseded")])
        )
        by_ticket = defaultdict(list)
        for clock in clocks:
            by_ticket[clock.ticket_id.id].append(clock)
        tickets = self.sudo()
        changes = defaultdict(list)
        for ticket in tickets:
            ticket_clocks = by_ticket.get(ticket.id, [])
            kinds = {clock.kind: clock for clock in ticket_clocks}
            statuses = [clock._status() for clock in ticket_clocks] or ["none"]
            running = [
                c.deadline for c in ticket_clocks if c.state == "running" and c.deadline
            ]
            response, resolution = kinds.get("response"), kinds.get("resolution")
            wanted = {
                "msp_sla_response_deadline": response.deadline if response else False,
                "msp_sla_response_status": response._status() if response else "none",
                "msp_sla_resolution_deadline": resolution.deadline
                if resolution
                else False,
                "msp_sla_resolution_status": (
                    resolution._status() if resolution else "none"
                ),
                "msp_sla_status": min(statuses, key=STATUS_RANK.index),
                "msp_sla_breached": "breached" in statuses,
                "msp_sla_at_risk": "at_risk" in statuses,
                "msp_sla_deadline": min(running) if running else False,
            }
            changed = tuple(
                sorted(
                    (name, value)
                    for name, value in wanted.items()
                    if ticket[name] != value
                )
            )
            if changed:
                changes[changed].append(ticket.id)
        for changed, ticket_ids in changes.items():
            tickets.browse(ticket_ids).write(dict(changed))

    # -------------------------------------------------- warnings, breaches

    def _msp_sla_notify(self, clock, event):
        """Post on the ticket and give its owner (or the team lead when it
        has none) an activity."""
        self.ensure_one()
        if self.env.context.get("msp_sla_quiet"):
            return
        kinds = dict(KINDS)
        values = {
            "code": PRIORITY_CODE[clock.priority],
            "kind": kinds[clock.kind].lower(),
            "deadline": fields.Datetime.to_string(clock.deadline),
        }
        if event == "warning":
            summary = self.env._("SLA at risk: %(code)s %(kind)s", **values)
            body = self.env._(
                "SLA warning: the %(code)s %(kind)s target is %(percent)s%% used; "
                "due %(deadline)s (UTC).",
                percent=round(clock.warning_ratio * 100),
                **values,
            )
        else:
            summary = self.env._("SLA breached: %(code)s %(kind)s", **values)
            body = self.env._(
                "SLA breach: the %(code)s %(kind)s target was due %(deadline)s (UTC).",
                **values,
            )
        self.sudo().message_post(
            body=body,
            subtype_xmlid="mail.mt_note",
            author_id=self.env.ref("base.partner_root").id,
        )
        self._msp_sla_activity(clock, event, summary, body)

    def _msp_sla_activity(self, clock, event, summary, body):
        """One activity per ticket and clock: created at risk for the owner
        (else the team lead), turned into the breach (type, summary, due
        date) when the target passes; a new one only if there is none left
        open (never done, or marked done)."""
        self.ensure_one()
        breach = event == "breach"
        activity_type = self.env.ref(
            "msp_sla.mail_activity_type_sla_breached"
            if breach
            else "msp_sla.mail_activity_type_sla_at_risk"
        )
        deadline = fields.Date.context_today(
            self.with_context(tz=self.env.user.tz or "UTC"),
            clock.deadline or fields.Datetime.now(),
        )
        values = {
            "activity_type_id": activity_type.id,
            "summary": summary,
            "note": body,
            "date_deadline": deadline,
        }
        activity = clock.sudo().activity_id.exists()
        if activity and activity.active:
            activity.write(values)
            return activity
        owner = self.user_id or self.team_id.user_id
        if not owner:
            return self.env["mail.activity"]
        activity = self.sudo().activity_schedule(user_id=owner.id, **values)
        clock.sudo().activity_id = activity
        return activity

    def _msp_sla_on_warning(self, clocks):
        """Hook: ``clocks`` (of these tickets) just crossed their warning
        threshold. Called once per crossing, after the message and activity.
        msp_routing's escalation rules extend it."""

    def _msp_sla_on_breach(self, clocks):
        """Hook: ``clocks`` just breached (once per breach)."""

    def action_msp_sla_breaches(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "msp_sla.action_msp_sla_breach"
        )
        action["domain"] = [("ticket_id", "=", self.id)]
        return action
