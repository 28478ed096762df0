# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.tools import SQL, create_index, email_normalize, html2plaintext, index_exists
from pytz import utc

from odoo.addons.msp_base.models.msp_system_fields import system_write

from ..lib.matching import clean_subject, email_domain

_logger = logging.getLogger(__name__)

# Set by intake, routing and the claim action, never typed in.
SYSTEM_FIELDS = frozenset(
    {
        "msp_unknown_sender",
        "msp_routed_date",
        "msp_claimed_date",
        "msp_claimed_by_id",
        "msp_time_to_route",
        "msp_time_to_claim",
        "msp_alert_source_id",
        "msp_alert_key",
        "msp_alert_count",
        "msp_alert_open",
        "msp_alert_cleared_date",
    }
)

# At most one open ticket per alert (source, key): the database's guarantee
# against concurrent deliveries of one alert (see msp.intake.source)
ALERT_OPEN_INDEX = "helpdesk_ticket_msp_alert_open_uniq"


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    msp_unknown_sender = fields.Boolean(
        string="Unknown Sender",
        readonly=True,
        index=True,
        help="Came in by e-mail from an address matching no contact and no "
        "client domain: triage it.",
    )
    msp_routed_date = fields.Datetime(string="Routed On", readonly=True, copy=False)
    msp_claimed_date = fields.Datetime(string="Claimed On", readonly=True, copy=False)
    msp_claimed_by_id = fields.Many2one(
        "res.users", string="Claimed By", readonly=True, copy=False
    )
    msp_time_to_route = fields.Float(
        string="Time to Route (h)",
        compute="_compute_msp_time_to_route",
        store=True,
        aggregator="avg",
        help="From creation to the first team or owner set by a rule or a person.",
    )
    msp_time_to_claim = fields.Float(
        string="Time to Claim (h)",
        compute="_compute_msp_time_to_claim",
        store=True,
        aggregator="avg",
    )
    msp_alert_source_id = fields.Many2one(
        "msp.intake.source", string="Alert Source", readonly=True, copy=False
    )
    msp_alert_key = fields.Char(
        string="Alert Key", readonly=True, copy=False, index=True
    )
    msp_alert_count = fields.Integer(
        string="Alert Occurrences", readonly=True, copy=False
    )
    msp_alert_open = fields.Boolean(
        string="Open Alert",
        compute="_compute_msp_alert_open",
        store=True,
        readonly=True,
        copy=False,
        help="An alert ticket not in a closed stage: new deliveries of its "
        "alert count on it. One open ticket per source and alert key.",
    )
    msp_alert_cleared_date = fields.Datetime(
        string="Alert Cleared On",
        readonly=True,
        copy=False,
        help="When the monitor reported the alert cleared (the ticket may "
        "stay open for follow-up); emptied when the alert fires again.",
    )
    msp_routing_log_ids = fields.One2many(
        "msp.routing.log", "ticket_id", string="Routing Log", readonly=True
    )

    def _msp_system_fields(self):
        return super()._msp_system_fields() | SYSTEM_FIELDS

    def init(self):
        # the duplicate-mail check looks back a few minutes by creation date
        create_index(
            self.env.cr,
            "helpdesk_ticket_msp_create_date_idx",
            self._table,
            ["create_date"],
        )
        self._msp_init_alert_open_index()

    def _msp_init_alert_open_index(self):
        """The unique partial index on open alert tickets. Created once: the
        flag is filled in SQL first (the ORM computes it after init()), and
        duplicates opened before the index existed keep their ticket but get
        a distinct key (logged), the oldest keeping the alert's."""
        cr = self.env.cr
        if index_exists(cr, ALERT_OPEN_INDEX):
            return
        cr.execute(
            """
            UPDATE helpdesk_ticket t
               SET msp_alert_open = t.msp_alert_source_id IS NOT NULL
                   AND NOT coalesce((SELECT s.closed FROM helpdesk_ticket_stage s
                                      WHERE s.id = t.stage_id), false)
            """
        )
        cr.execute(
            """
            UPDATE helpdesk_ticket t
               SET msp_alert_key = t.msp_alert_key || ' (duplicate #' || t.id || ')'
              FROM (SELECT id, row_number() OVER (
                               PARTITION BY msp_alert_source_id, msp_alert_key
                               ORDER BY id) AS rank
                      FROM helpdesk_ticket WHERE msp_alert_open) d
             WHERE d.id = t.id AND d.rank > 1
         RETURNING t.id
            """
        )
        renamed = [row[0] for row in cr.fetchall()]
        if renamed:
            _logger.warning(
                "helpdesk.ticket: %s open alert tickets duplicated an older one "
                "(same source and key); their key got a suffix: %s",
                len(renamed),
                renamed,
            )
        cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON helpdesk_ticket "
                "(msp_alert_source_id, msp_alert_key) WHERE msp_alert_open",
                SQL.identifier(ALERT_OPEN_INDEX),
            )
        )

    @api.depends("msp_alert_source_id", "stage_id.closed")
    def _compute_msp_alert_open(self):
        for ticket in self:
            ticket.msp_alert_open = bool(
                ticket.msp_alert_source_id and not ticket.stage_id.closed
            )

    @api.depends("msp_routed_date", "create_date")
    def _compute_msp_time_to_route(self):
        for ticket in self:
            ticket.msp_time_to_route = (
                max((ticket.msp_routed_date - ticket.create_date).total_seconds(), 0)
                / 3600
                if ticket.msp_routed_date and ticket.create_date
                else 0.0
            )

    @api.depends("msp_claimed_date", "create_date")
    def _compute_msp_time_to_claim(self):
        for ticket in self:
            ticket.msp_time_to_claim = (
                (ticket.msp_claimed_date - ticket.create_date).total_seconds() / 3600
                if ticket.msp_claimed_date and ticket.create_date
                else 0.0
            )

    # --------------------------------------------------------------- intake

    @api.model_create_multi
    def create(self, vals_list):
        """Route in the create values, before SLA targets are set."""
        self._msp_check_system_fields(vals_list)
        if self.env.context.get("msp_routing_skip"):
            return super().create(vals_list)
        now = fields.Datetime.now()
        cache = {}  # per company: rules and business hours, once per batch
        decisions = [self._msp_route_values(vals, now, cache) for vals in vals_list]
        for vals in vals_list:
            if vals.get("team_id") or vals.get("user_id"):
                vals.setdefault("msp_routed_date", now)  # routed on the way in
        for vals, decision in zip(vals_list, decisions, strict=True):
            # not "routed": the catch-all team is where triage starts
            catchall = self._msp_catchall_team(vals)
            if catchall:
                vals["team_id"] = catchall.id
                decision.append(
                    (False, self.env._("team=%(team)s (catch-all)", team=catchall.name))
                )
        with system_write():
            tickets = super().create(vals_list)
        self.env["msp.routing.log"].sudo().create(
            [
                {
                    "ticket_id": ticket.id,
                    "company_id": ticket.company_id.id,
                    "event": "intake",
                    "rule_id": rule_id,
                    "date": now,
                    "changes": changes,
                }
                for ticket, decision in zip(tickets, decisions, strict=True)
                for rule_id, changes in decision
            ]
        )
        return tickets

    def _msp_route_values(self, vals, now, cache):
        """Apply the matching rules to ``vals`` (in place); returns
        [(rule id, description of changes)] for the audit log."""
        company = self.env["res.company"].browse(
            vals.get("company_id") or self.env.company.id
        )
        if company.id not in cache:
            rules, conditions = self.env["msp.routing.rule"]._rules_for(company)
            in_hours = bool(conditions) and self._msp_in_business_hours(company, now)
            cache[company.id] = (rules, conditions, in_hours)
        rules, conditions, in_hours = cache[company.id]
        if not conditions:
            return []
        facts = self._msp_facts(vals, in_hours)
        decision = []

        def apply(condition):
            rule = rules.browse(condition["id"])
            decision.append((rule.id, self._msp_apply_rule(rule, vals, now)))
            return self._msp_facts(vals, in_hours)

        selected = self.env["msp.routing.rule"]._select(
            conditions, facts, lambda: self.new(vals), on_match=apply
        )
        if selected:
            vals.setdefault("msp_routed_date", now)
        return decision

    def _msp_catchall_team(self, vals):
        """The company's catch-all team for a ticket ``vals`` leaves without
        a team (no rule gave one, its owner is in no team of the company)."""
        if vals.get("team_id"):
            return self.env["helpdesk.ticket.team"]
        company = self.env["res.company"].browse(
            vals.get("company_id") or self.env.company.id
        )
        team = company.sudo().msp_catchall_team_id
        owner = self.env["res.users"].browse(vals.get("user_id")).sudo()
        if owner.helpdesk_team_ids:
            return self.env["helpdesk.ticket.team"]  # helpdesk_mgmt picks it
        return team

    def _msp_facts(self, vals, in_business_hours):
        partner = self.env["res.partner"].browse(vals.get("partner_id")).exists()
        client = partner.commercial_partner_id
        email = vals.get("partner_email") or partner.email
        return {
            "client_id": client.id,
            "client_tag_ids": client.category_id.ids,
            "sender_domain": email_domain(email),
            "channel_id": vals.get("channel_id"),
            "category_id": vals.get("category_id"),
            "asset_type_id": self.env["msp.asset"]
            .browse(vals.get("msp_asset_id"))
            .exists()
            .type_id.id,
            "priority": str(vals.get("priority", "1")),
            "subject": vals.get("name") or "",
            "body": html2plaintext(vals.get("description") or ""),
            "business_hours": in_business_hours,
        }

    @api.model
    def _msp_in_business_hours(self, company, now):
        calendar = company.resource_calendar_id
        if not calendar:
            return True
        start = utc.localize(now)
        intervals = calendar._work_intervals_batch(start, start + timedelta(minutes=1))
        return bool(intervals[False])

    def _msp_apply_rule(self, rule, vals, now):
        changes = []
        if rule.set_team_id:
            vals["team_id"] = rule.set_team_id.id
            changes.append(f"team={rule.set_team_id.name}")
        if rule.set_category_id:
            vals["category_id"] = rule.set_category_id.id
            changes.append(f"category={rule.set_category_id.name}")
        if rule.set_priority:
            vals["priority"] = rule.set_priority
            changes.append(f"priority={rule.set_priority}")
        if rule.add_tag_ids:
            vals["tag_ids"] = list(vals.get("tag_ids") or []) + [
                Command.link(tag.id) for tag in rule.add_tag_ids
            ]
            changes.append("tags+=" + ",".join(rule.add_tag_ids.mapped("name")))
        if rule.policy != "none":
            team = self.env["helpdesk.ticket.team"].browse(vals.get("team_id"))
            category = self.env["helpdesk.ticket.category"].browse(
                vals.get("category_id")
            )
            owner = rule._pick_owner(team, category, now)
            vals["user_id"] = owner.id or False
            changes.append(
                f"owner={owner.name} ({rule.policy})"
                if owner
                else f"owner=nobody available ({rule.policy})"
            )
        return "; ".join(changes) or "matched"

    # ----------------------------------------------------------- e-mail

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """Mail intake: the sender's contact, else the client owning the
        sender's domain, else the unknown-sender triage flag; reply prefixes
        cleaned; nobody auto-assigned; an obvious duplicate (same sender,
        same subject, still open, within the window) gets the mail instead
        of a new ticket."""
        custom_values = dict(custom_values or {})
        email = msg_dict.get("email_from") or ""
        subject = clean_subject(msg_dict.get("subject")) or self.env._("(no subject)")
        duplicate = self._msp_find_duplicate(email, subject)
        if duplicate:
            return duplicate
        msg_dict = dict(msg_dict, subject=subject)
        custom_values.setdefault("user_id", False)
        address = email_normalize(email)
        if address:
            custom_values.setdefault("partner_email", address)
        custom_values.setdefault(
            "channel_id", self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_email").id
        )
        if not msg_dict.get("author_id"):
            client = (
                self.env["res.partner"].search(
                    [
                        ("is_company", "=", True),
                        ("msp_email_domain", "=", email_domain(email)),
                    ],
                    limit=1,
                )
                if email_domain(email)
                else self.env["res.partner"]
            )
            if client:
                custom_values.setdefault("partner_id", client.id)
            else:
                self._msp_check_system_fields([custom_values])
                custom_values["msp_unknown_sender"] = True
                with system_write():
                    return super().message_new(msg_dict, custom_values=custom_values)
        return super().message_new(msg_dict, custom_values=custom_values)

    @api.model
    def _msp_find_duplicate(self, email, subject):
        window = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("msp_routing.duplicate_window_minutes", 30)
        )
        address = email_normalize(email)
        if not address or window <= 0:
            return self.browse()
        since = fields.Datetime.now() - timedelta(minutes=window)
        candidates = self.search(
            [
                ("create_date", ">=", since),
                ("name", "=", subject),
                ("stage_id.closed", "=", False),
            ],
            order="id",
        )
        return candidates.filtered(
            lambda t: email_normalize(t.partner_email) == address
        )[:1]

    # ------------------------------------------------------ claim, reassign

    def action_msp_claim(self):
        now = fields.Datetime.now()
        for ticket in self:
            previous = ticket.user_id
            with system_write():
                ticket.with_context(msp_routing_claim=True).write(
                    {
                        "user_id": self.env.user.id,
                        "msp_claimed_date": now,
                        "msp_claimed_by_id": self.env.user.id,
                    }
                )
            ticket._msp_log(
                "claim",
                self.env._(
                    "claimed by %(user)s (was %(previous)s)",
                    user=self.env.user.name,
                    previous=previous.name or self.env._("unassigned"),
                ),
            )
        return True

    def assign_to_me(self):
        """helpdesk_mgmt's "Assign to me" is a claim here: one ownership
        action, audited."""
        return self.action_msp_claim()

    def action_msp_escalate(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Escalate %(ticket)s", ticket=self.display_name),
            "res_model": "msp.ticket.escalate",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id},
        }

    def write(self, vals):
        self._msp_check_system_fields([vals])
        reassigned = "user_id" in vals and not self.env.context.get("msp_routing_claim")
        previous = {t.id: t.user_id for t in self} if reassigned else {}
        if ("team_id" in vals or "user_id" in vals) and "msp_routed_date" not in vals:
            unrouted = self.filtered(lambda t: not t.msp_routed_date)
            if unrouted:
                with system_write():
                    super(HelpdeskTicket, unrouted).write(
                        {"msp_routed_date": fields.Datetime.now()}
                    )
        result = super().write(vals)
        for ticket in self.filtered(lambda t: t.id in previous):
            if previous[ticket.id] != ticket.user_id:
                ticket._msp_log(
                    "reassign",
                    self.env._(
                        "%(old)s → %(new)s",
                        old=previous[ticket.id].name or self.env._("unassigned"),
                        new=ticket.user_id.name or self.env._("unassigned"),
                    ),
                )
        return result

    def _msp_closing_stage(self):
        """The first closed stage open to this ticket's team."""
        self.ensure_one()
        return self.env["helpdesk.ticket.stage"].search(
            [
                ("closed", "=", True),
                "|",
                ("team_ids", "=", False),
                ("team_ids", "in", self.team_id.ids),
            ],
            order="sequence, id",
            limit=1,
        )

    # --------------------------------------------------------- escalation

    def _msp_sla_on_warning(self, clocks):
        result = super()._msp_sla_on_warning(clocks)
        self.env["msp.escalation.rule"]._on_sla_event(clocks.ticket_id, "sla_warning")
        return result

    def _msp_sla_on_breach(self, clocks):
        result = super()._msp_sla_on_breach(clocks)
        self.env["msp.escalation.rule"]._on_sla_event(clocks.ticket_id, "sla_breach")
        return result

    def _msp_log(self, event, changes, rule=None, escalation=None):
        self.ensure_one()
        self.env["msp.routing.log"].sudo().create(
            {
                "ticket_id": self.id,
                "company_id": self.company_id.id,
                "event": event,
                "rule_id": rule.id if rule else False,
                "escalation_id": escalation.id if escalation else False,
                "changes": changes,
            }
        )
