# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import re

import psycopg2
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, ormcache
from odoo.tools.safe_eval import safe_eval

from ..lib.matching import regex_risk, select_rules

_logger = logging.getLogger(__name__)

PRIORITY_SELECTION = [
    ("3", "P1 - Outage"),
    ("2", "P2 - Degraded"),
    ("1", "P3 - Standard"),
    ("0", "P4 - Request"),
]
POLICIES = [
    ("none", "Leave unassigned"),
    ("user", "Named user"),
    ("on_call", "On-call person"),
    ("round_robin", "Round robin in the team"),
    ("least_loaded", "Least loaded in the team"),
    ("skill", "Skill-based (category)"),
]
# Open-ticket load weights per priority, for least-loaded assignment.
LOAD_WEIGHT = {"3": 4, "2": 3, "1": 2, "0": 1}


class MspRoutingRule(models.Model):
    """An ordered intake rule: conditions on the new ticket, then actions
    (team, category, priority, tags, owner by policy). The first matching
    rule wins unless it says *continue*."""

    _name = "msp.routing.rule"
    _description = "Routing Rule"
    _inherit = ["mail.thread", "msp.priority.condition.mixin"]
    _order = "sequence, id"

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    # === Conditions (empty = any) ===
    client_ids = fields.Many2many(
        "res.partner",
        "msp_routing_rule_client_rel",
        string="Clients",
        domain=[("is_company", "=", True)],
    )
    client_tag_ids = fields.Many2many(
        "res.partner.category", string="Client Tags", help="Any of these tags."
    )
    sender_domains = fields.Char(
        help="Comma-separated sender e-mail domains, e.g. legal-firm-a.com"
    )
    channel_ids = fields.Many2many("helpdesk.ticket.channel", string="Channels")
    category_ids = fields.Many2many(
        "helpdesk.ticket.category",
        "msp_routing_rule_category_rel",
        string="Categories",
    )
    asset_type_ids = fields.Many2many(
        "msp.asset.type",
        string="Asset Types",
        help="The ticket's asset is of one of these.",
    )
    priorities = fields.Char(
        help="Comma-separated priorities the rule applies to: 3 (P1), 2 (P2), "
        "1 (P3), 0 (P4). Empty: any.",
    )
    subject_regex = fields.Char(
        string="Subject matches", help="Python regular expression, case-insensitive."
    )
    body_regex = fields.Char(
        string="Body matches", help="Python regular expression, case-insensitive."
    )
    hours = fields.Selection(
        [("any", "Any time"), ("business", "Business hours"), ("after", "After hours")],
        default="any",
        required=True,
        help="Business hours are the company's working hours.",
    )
    domain = fields.Char(
        string="Other Conditions",
        default="[]",
        help="Extra conditions on the ticket, built with the domain editor.",
    )
    # === Actions ===
    set_team_id = fields.Many2one("helpdesk.ticket.team")
    set_category_id = fields.Many2one("helpdesk.ticket.category")
    set_priority = fields.Selection(PRIORITY_SELECTION)
    add_tag_ids = fields.Many2many("helpdesk.ticket.tag", string="Add Tags")
    policy = fields.Selection(POLICIES, default="none", required=True, tracking=True)
    assign_user_id = fields.Many2one("res.users", string="Named User")
    rotation_id = fields.Many2one("msp.oncall.rotation", string="On-call Rotation")
    continue_matching = fields.Boolean(
        string="Continue", help="Let later rules apply too after this one matched."
    )
    match_count = fields.Integer(compute="_compute_match_count")

    @api.constrains("subject_regex", "body_regex")
    def _check_regex(self):
        for rule in self:
            for pattern in (rule.subject_regex, rule.body_regex):
                try:
                    re.compile(pattern or "")
                    risk = regex_risk(pattern or "")
                except re.error as error:
                    raise ValidationError(
                        self.env._(
                            "Rule %(rule)s: %(pattern)s is not a valid regular "
                            "expression (%(error)s).",
                            rule=rule.name,
                            pattern=pattern,
                            error=error,
                        )
                    ) from error
                if risk:
                    raise ValidationError(
                        self.env._(
                            "Rule %(rule)s: %(pattern)s could take very long to "
                            "match (%(risk)s). Simplify it, e.g. (a+)+ to a+.",
                            rule=rule.name,
                            pattern=pattern,
                            risk=risk,
                        )
                    )

    @api.constrains("domain")
    def _check_domain(self):
        for rule in self:
            error = rule._domain_error(rule.domain)
            if error:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the other conditions are not a valid "
                        "domain on tickets (%(error)s).",
                        rule=rule.name,
                        error=error,
                    )
                )

    @api.model
    def _domain_error(self, domain):
        """Why ``domain`` (text) cannot filter tickets, or None."""
        tickets = self.env["helpdesk.ticket"]
        try:
            value = safe_eval(domain or "[]")
            if not isinstance(value, (list, tuple)):
                return self.env._("not a list")
            tickets._search(value)  # fields, paths and operators
            tickets.new({}).filtered_domain(value)  # as routing applies it
        except psycopg2.Error:
            raise
        except Exception as error:  # reported to the user
            return str(error) or type(error).__name__
        return None

    @api.constrains("policy", "assign_user_id", "rotation_id")
    def _check_policy(self):
        for rule in self:
            if rule.policy == "user" and not rule.assign_user_id:
                raise ValidationError(
                    self.env._("Rule %(rule)s needs its named user.", rule=rule.name)
                )
            if rule.policy == "on_call" and not rule.rotation_id:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s needs an on-call rotation.", rule=rule.name
                    )
                )

    def _compute_match_count(self):
        counts = dict(
            self.env["msp.routing.log"]._read_group(
                [("rule_id", "in", self.ids)], ["rule_id"], ["__count"]
            )
        )
        for rule in self:
            rule.match_count = counts.get(rule, 0)

    # ------------------------------------------------------------ matching

    def _as_condition(self):
        """The rule as plain data for lib.matching."""
        self.ensure_one()

        def split(text):
            return {
                part.strip().lower() for part in (text or "").split(",") if part.strip()
            }

        def pattern(text):
            if not text:
                return None
            if regex_risk(text):  # stored before the check, or by SQL
                raise ValueError(f"{text!r} risks catastrophic backtracking")
            return re.compile(text, re.IGNORECASE)

        return {
            "id": self.id,
            "client_ids": set(self.client_ids.ids),
            "client_tag_ids": set(self.client_tag_ids.ids),
            "sender_domains": split(self.sender_domains),
            "channel_ids": set(self.channel_ids.ids),
            "category_ids": set(self.category_ids.ids),
            "asset_type_ids": set(self.asset_type_ids.ids),
            "priorities": split(self.priorities),
            "subject_regex": pattern(self.subject_regex),
            "body_regex": pattern(self.body_regex),
            "hours": self.hours,
            "domain": self.domain if self.domain not in (False, "", "[]") else None,
            "continue": self.continue_matching,
        }

    @api.model
    def _rules_for(self, company):
        """Active rules of a company as plain data, cached until a rule
        changes: routing a ticket reads no rule that does not match."""
        conditions = self._conditions_cached(company.id)
        return self.sudo().browse([c["id"] for c in conditions]), list(conditions)

    @api.model
    @ormcache("company_id")
    def _conditions_cached(self, company_id):
        """A rule whose pattern cannot be used (changed behind the form's
        back) is left out and logged: intake carries on without it."""
        rules = self.sudo().search([("company_id", "=", company_id)])
        conditions = []
        for rule in rules:
            try:
                conditions.append(rule._as_condition())
            except (re.error, ValueError) as error:
                _logger.warning(
                    "routing rule %s (%s) skipped: %s", rule.id, rule.name, error
                )
        return tuple(conditions)

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    def _select(self, conditions, facts, make_candidate, on_match=None):
        """Rules that apply to the ticket described by ``facts``;
        ``make_candidate()`` gives an in-memory ticket for domain conditions
        (built only when a matching rule has one)."""
        candidate = []

        def domain_ok(condition):
            if not condition["domain"]:
                return True
            if not candidate:
                candidate.append(make_candidate())
            try:
                domain = safe_eval(condition["domain"])
                return bool(candidate[0].filtered_domain(domain))
            except psycopg2.Error:
                raise
            except Exception as error:  # one broken rule
                # a domain that no longer fits the tickets (a field removed,
                # a value written by SQL): skip this rule, route the ticket
                _logger.warning(
                    "routing rule %s skipped: its conditions fail (%s)",
                    condition["id"],
                    error,
                )
                return False

        def applied(condition):
            candidate.clear()  # the values changed: rebuild for the next domain
            return on_match(condition) if on_match else None

        return select_rules(conditions, facts, extra_check=domain_ok, on_match=applied)

    # ------------------------------------------------------------ policies

    def _pick_owner(self, team, category, when):
        """The owner this rule's policy gives a ticket of ``team`` and
        ``category`` at ``when`` (empty when nobody is available)."""
        self.ensure_one()
        users = self.env["res.users"]
        members = team.user_ids._msp_available(when) if team else users
        if self.policy == "user":
            return self.assign_user_id._msp_available(when)
        if self.policy == "on_call":
            return self.rotation_id._on_call(when)
        if self.policy == "round_robin":
            return self._round_robin(team, members)
        if self.policy == "least_loaded":
            return self._least_loaded(members)
        if self.policy == "skill":
            skilled = members.filtered(
                lambda u: category and category in u.msp_skill_category_ids
            )
            return self._least_loaded(skilled)
        return users

    def _round_robin(self, team, members):
        if not members:
            return members
        ordered = members.sorted("id")
        last = team.msp_rr_last_user_id.id or 0
        chosen = next((u for u in ordered if u.id > last), ordered[0])
        team.sudo().msp_rr_last_user_id = chosen
        return chosen

    def _least_loaded(self, members):
        """Fewest open tickets, weighted by priority (P1 counts 4, P4 1)."""
        if not members:
            return members
        self.env["helpdesk.ticket"].flush_model(["user_id", "priority", "stage_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT t.user_id,
                       sum(CASE t.priority WHEN '3' THEN 4 WHEN '2' THEN 3
                                           WHEN '1' THEN 2 ELSE 1 END)
                  FROM helpdesk_ticket t
                  JOIN helpdesk_ticket_stage s ON s.id = t.stage_id
                 WHERE t.user_id = ANY(%s) AND NOT s.closed AND t.active
                 GROUP BY t.user_id
                """,
                members.ids,
            )
        )
        load = dict(self.env.cr.fetchall())
        return min(members.sorted("id"), key=lambda u: load.get(u.id, 0))
