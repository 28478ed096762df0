# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
from datetime import timedelta

from odoo import api, fields, models

from .msp_routing_rule import PRIORITY_SELECTION

TRIGGERS = [
    ("no_response", "No first response after N minutes"),
    ("idle", "Idle (not updated) for N minutes"),
    ("sla_warning", "SLA warning"),
    ("sla_breach", "SLA breach"),
]


class MspEscalationRule(models.Model):
    """Acts on time, not on shouting: each rule fires once per ticket."""

    _name = "msp.escalation.rule"
    _description = "Escalation Rule"
    _inherit = ["mail.thread", "msp.priority.condition.mixin"]
    _order = "sequence, id"

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    trigger = fields.Selection(TRIGGERS, required=True, default="no_response")
    minutes = fields.Integer(default=30, help="For the time-based triggers.")
    # === Conditions (empty = any) ===
    priorities = fields.Char(help="Comma-separated: 3 (P1), 2 (P2), 1 (P3), 0 (P4).")
    client_tag_ids = fields.Many2many("res.partner.category", string="Client Tags")
    channel_ids = fields.Many2many("helpdesk.ticket.channel", string="Channels")
    team_ids = fields.Many2many("helpdesk.ticket.team", string="Teams")
    subject_regex = fields.Char(string="Subject matches")
    # === Actions ===
    set_team_id = fields.Many2one("helpdesk.ticket.team", string="Move to Team")
    set_priority = fields.Selection(PRIORITY_SELECTION)
    assign = fields.Selection(
        [("none", "Keep owner"), ("user", "Named user"), ("team_lead", "Team lead")],
        default="none",
        required=True,
    )
    assign_user_id = fields.Many2one("res.users", string="Assign To")
    notify_user_ids = fields.Many2many(
        "res.users", string="Notify", domain=[("share", "=", False)]
    )
    notify_followers = fields.Boolean()
    mail_template_id = fields.Many2one(
        "mail.template",
        domain=[("model", "=", "helpdesk.ticket")],
        default=lambda self: self.env.ref(
            "msp_routing.mail_template_escalation", raise_if_not_found=False
        ),
    )
    activity = fields.Boolean(string="Schedule Activity")

    # --------------------------------------------------------------- select

    def _ticket_domain(self):
        self.ensure_one()
        domain = [
            ("company_id", "=", self.company_id.id),
            ("stage_id.closed", "=", False),
        ]
        priorities = [
            p.strip() for p in (self.priorities or "").split(",") if p.strip()
        ]
        if priorities:
            domain.append(("priority", "in", priorities))
        if self.client_tag_ids:
            domain.append(
                ("commercial_partner_id.category_id", "in", self.client_tag_ids.ids)
            )
        if self.channel_ids:
            domain.append(("channel_id", "in", self.channel_ids.ids))
        if self.team_ids:
            domain.append(("team_id", "in", self.team_ids.ids))
        return domain

    def _keep(self, tickets):
        """Drop tickets the subject filter or an earlier firing excludes."""
        self.ensure_one()
        if self.subject_regex:
            pattern = re.compile(self.subject_regex, re.IGNORECASE)
            tickets = tickets.filtered(lambda t: pattern.search(t.name or ""))
        fired = (
            self.env["msp.escalation.fired"]
            .sudo()
            .search([("rule_id", "=", self.id), ("ticket_id", "in", tickets.ids)])
        )
        return tickets - fired.ticket_id

    @api.model
    def _cron_escalate(self):
        """Time-based rules: one search per rule, whatever the ticket count."""
        now = fields.Datetime.now()
        Ticket = self.env["helpdesk.ticket"].sudo()
        for rule in self.sudo().search([("trigger", "in", ("no_response", "idle"))]):
            since = now - timedelta(minutes=rule.minutes)
            domain = rule._ticket_domain()
            if rule.trigger == "no_response":
                domain += [
                    ("create_date", "<=", since),
                    ("msp_sla_response_status", "in", ("running", "at_risk", "paused")),
                ]
            else:
                domain.append(("write_date", "<=", since))
            rule._fire(rule._keep(Ticket.search(domain)))

    @api.model
    def _on_sla_event(self, tickets, trigger):
        rules = self.sudo().search([("trigger", "=", trigger)])
        for rule in rules:
            matching = tickets.filtered_domain(rule._ticket_domain())
            rule._fire(rule._keep(matching))

    # ---------------------------------------------------------------- act

    def _fire(self, tickets):
        self.ensure_one()
        if not tickets:
            return
        self.env["msp.escalation.fired"].sudo().create(
            [{"rule_id": self.id, "ticket_id": t.id} for t in tickets]
        )
        for ticket in tickets:
            changes = self._act(ticket)
            ticket._msp_log("escalation", changes, escalation=self)

    def _act(self, ticket):
        values, changes = {}, []
        if self.set_team_id:
            values["team_id"] = self.set_team_id.id
            changes.append(f"team={self.set_team_id.name}")
        if self.set_priority:
            values["priority"] = self.set_priority
            changes.append(f"priority={self.set_priority}")
        owner = {
            "user": self.assign_user_id,
            "team_lead": (self.set_team_id or ticket.team_id).user_id,
        }.get(self.assign)
        if owner:
            values["user_id"] = owner.id
            changes.append(f"owner={owner.name}")
        if values:
            ticket.write(values)
        partners = self.notify_user_ids.partner_id
        if self.notify_followers:
            partners |= ticket.message_partner_ids
        if partners and self.mail_template_id:
            self.mail_template_id.send_mail(
                ticket.id,
                email_values={"recipient_ids": [(6, 0, partners.ids)]},
            )
            changes.append("notified " + ", ".join(partners.mapped("name")))
        if self.activity:
            user = ticket.user_id or ticket.team_id.user_id or self.notify_user_ids[:1]
            if user:
                ticket.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Escalation: %(rule)s", rule=self.name),
                    user_id=user.id,
                )
                changes.append(f"activity for {user.name}")
        return "; ".join(changes) or "fired"


class MspEscalationFired(models.Model):
    """Each rule fires once per ticket."""

    _name = "msp.escalation.fired"
    _description = "Escalation Fired"

    rule_id = fields.Many2one("msp.escalation.rule", required=True, ondelete="cascade")
    company_id = fields.Many2one(
        related="rule_id.company_id", store=True, index=True, precompute=True
    )
    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True
    )
    date = fields.Datetime(default=fields.Datetime.now)

    _sql_constraints = [
        ("once", "UNIQUE (rule_id, ticket_id)", "An escalation fires once per ticket.")
    ]
