# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models

# helpdesk_mgmt's priority field ("0" Low ... "3" Very High) carries the
# MSP severity: Very High = P1 outage ... Low = P4 request.
PRIORITIES = [
    ("3", "P1 - Outage"),
    ("2", "P2 - Degraded"),
    ("1", "P3 - Standard"),
    ("0", "P4 - Request"),
]
PRIORITY_CODE = {"3": "P1", "2": "P2", "1": "P3", "0": "P4"}


class MspSlaProfile(models.Model):
    _name = "msp.sla.profile"
    _description = "SLA Profile"
    _inherit = ["mail.thread"]
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty to share the profile between companies.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        tracking=True,
        help="Business hours and public holidays the clocks run on, in the "
        "calendar's time zone. Leave empty for a 24x7 profile.",
    )
    warning_percent = fields.Float(
        string="Warn at (%)",
        default=80.0,
        tracking=True,
        help="Warn the owner when this share of a target is consumed.",
    )
    target_ids = fields.One2many(
        "msp.sla.target", "profile_id", string="Targets", copy=True
    )
    description = fields.Html()

    _sql_constraints = [
        (
            "warning_percent_range",
            "CHECK (warning_percent > 0 AND warning_percent < 100)",
            "The warning threshold is a percentage between 0 and 100.",
        )
    ]

    def _target_for(self, priority):
        self.ensure_one()
        return self.target_ids.filtered(lambda t: t.priority == priority)[:1]

    def action_suggest_targets(self):
        self.ensure_one()
        wizard = self.env["msp.sla.suggest"].create({"profile_id": self.id})
        wizard._compute_lines()
        return {
            "type": "ir.actions.act_window",
            "res_model": "msp.sla.suggest",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.model
    def _cron_weekly_summary(self):
        """Mail each company's service managers last week's SLA figures."""
        template = self.env.ref("msp_sla.mail_template_sla_weekly")
        managers = self.env.ref("msp_base.group_msp_service_manager").users
        now = fields.Datetime.now()
        kinds = dict(self.env["msp.sla.clock"]._fields["kind"].selection)
        for company in managers.company_ids:
            emails = managers.filtered(
                lambda u, c=company: c in u.company_ids and u.email
            ).mapped("email_formatted")
            if not emails:
                continue
            rows = self.env["msp.sla.clock"]._percentiles(
                now - timedelta(days=7), now, company.ids
            )
            for row in rows:
                row["priority_label"] = dict(PRIORITIES)[row["priority"]]
                row["kind_label"] = kinds[row["kind"]]
            breaches = self.env["msp.sla.breach"].search_count(
                [
                    ("company_id", "=", company.id),
                    ("breached_at", ">=", now - timedelta(days=7)),
                ]
            )
            template.with_context(sla_rows=rows, sla_breaches=breaches).send_mail(
                company.id, email_values={"email_to": ",".join(emails)}
            )


class MspSlaTarget(models.Model):
    _name = "msp.sla.target"
    _description = "SLA Target"
    _order = "profile_id, priority desc"

    profile_id = fields.Many2one(
        "msp.sla.profile", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="profile_id.company_id", store=True)
    priority = fields.Selection(PRIORITIES, required=True)
    response_hours = fields.Float(
        string="First Response",
        required=True,
        help="Working time to the first response (hh:mm).",
    )
    resolution_hours = fields.Float(
        string="Resolution",
        required=True,
        help="Working time to resolution (hh:mm). A business day is the "
        "calendar's hours per day (8:00 on a standard calendar).",
    )
    around_the_clock = fields.Boolean(
        string="24x7",
        help="Clocks of this priority run around the clock even when the "
        "profile has business hours (e.g. P1 outages).",
    )

    _sql_constraints = [
        (
            "priority_unique",
            "UNIQUE (profile_id, priority)",
            "A profile has one target per priority.",
        ),
        (
            "positive_targets",
            "CHECK (response_hours > 0 AND resolution_hours > 0)",
            "Targets must be positive.",
        ),
    ]

    @api.depends("priority", "profile_id")
    def _compute_display_name(self):
        labels = dict(PRIORITIES)
        for target in self:
            target.display_name = (
                f"{target.profile_id.name} · {labels.get(target.priority, '')}"
            )
