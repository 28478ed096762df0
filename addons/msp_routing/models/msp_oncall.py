# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class MspOncallRotation(models.Model):
    """A weekly on-call rotation: members take turns week by week from the
    start date; overrides (swaps, cover for leave) win over the turn."""

    _name = "msp.oncall.rotation"
    _description = "On-call Rotation"
    _inherit = ["mail.thread"]

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    team_id = fields.Many2one("helpdesk.ticket.team")
    start_date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="The first member's week starts on this day.",
    )
    member_ids = fields.One2many("msp.oncall.member", "rotation_id", copy=True)
    override_ids = fields.One2many("msp.oncall.override", "rotation_id")
    current_user_id = fields.Many2one(
        "res.users", string="On Call Now", compute="_compute_current_user_id"
    )

    def _compute_current_user_id(self):
        now = fields.Datetime.now()
        for rotation in self:
            rotation.current_user_id = rotation._on_call(now)

    def _on_call(self, when):
        """Who is on call at ``when`` (naive UTC): an override, else this
        week's member, skipping members away or inactive."""
        self.ensure_one()
        overrides = self.override_ids.filtered(
            lambda o: o.date_from <= when < o.date_to
        ).sorted("date_from", reverse=True)
        available = overrides.user_id._msp_available(when)
        if available:
            return overrides.filtered(lambda o: o.user_id in available)[:1].user_id
        members = self.member_ids.sorted("sequence").user_id
        if not members:
            return self.env["res.users"]
        week = (when.date() - self.start_date).days // 7
        order = [members[(week + step) % len(members)] for step in range(len(members))]
        for user in order:
            if user._msp_available(when):
                return user
        return self.env["res.users"]


class MspOncallMember(models.Model):
    _name = "msp.oncall.member"
    _description = "On-call Rotation Member"
    _order = "sequence, id"

    rotation_id = fields.Many2one(
        "msp.oncall.rotation", required=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="rotation_id.company_id", store=True, index=True, precompute=True
    )
    sequence = fields.Integer(default=10)
    user_id = fields.Many2one(
        "res.users", required=True, domain=[("share", "=", False)]
    )


class MspOncallOverride(models.Model):
    _name = "msp.oncall.override"
    _description = "On-call Override"
    _order = "date_from desc"

    rotation_id = fields.Many2one(
        "msp.oncall.rotation", required=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="rotation_id.company_id", store=True, index=True, precompute=True
    )
    user_id = fields.Many2one(
        "res.users", required=True, domain=[("share", "=", False)]
    )
    date_from = fields.Datetime(required=True)
    date_to = fields.Datetime(required=True)
    reason = fields.Char()

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for override in self:
            if override.date_to <= override.date_from:
                raise ValidationError(
                    self.env._("An override must end after it starts.")
                )
