# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..models.msp_routing_rule import PRIORITY_SELECTION


class MspTicketEscalate(models.TransientModel):
    """A person escalates a ticket, with a reason: what the escalation rules
    do on time (priority up, another team, the on-call person told), done by
    hand, written to the routing log and the chatter."""

    _name = "msp.ticket.escalate"
    _description = "Escalate Ticket"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, ondelete="cascade")
    # required in the form and checked here (a clear message rather than
    # a database error over RPC)
    reason = fields.Text(help="Why it needs more attention: kept in the routing log.")
    raise_priority = fields.Boolean(
        default=True,
        help="One step up: P4 to P3, P3 to P2, P2 to P1.",
    )
    current_priority = fields.Selection(
        related="ticket_id.priority", string="Priority Now"
    )
    new_priority = fields.Selection(
        PRIORITY_SELECTION, compute="_compute_new_priority", string="Priority After"
    )
    team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Move to Team",
        help="Leave empty to keep the ticket's team.",
    )
    notify_oncall = fields.Boolean(
        string="Tell On-call",
        help="Notify the person on call for the (new) team and give them an activity.",
    )
    rotation_id = fields.Many2one(
        "msp.oncall.rotation",
        string="On-call Rotation",
        compute="_compute_rotation_id",
        store=True,
        readonly=False,
    )
    oncall_user_id = fields.Many2one(
        "res.users", string="On Call Now", compute="_compute_oncall_user_id"
    )

    @api.constrains("reason")
    def _check_reason(self):
        for wizard in self:
            if not (wizard.reason or "").strip():
                raise ValidationError(self.env._("Say why the ticket is escalated."))

    @api.depends("ticket_id.priority", "raise_priority")
    def _compute_new_priority(self):
        for wizard in self:
            priority = wizard.ticket_id.priority or "1"
            if wizard.raise_priority:
                priority = str(min(int(priority) + 1, 3))
            wizard.new_priority = priority

    @api.depends("team_id", "ticket_id.team_id")
    def _compute_rotation_id(self):
        Rotation = self.env["msp.oncall.rotation"]
        for wizard in self:
            team = wizard.team_id or wizard.ticket_id.team_id
            wizard.rotation_id = (
                Rotation.search([("team_id", "=", team.id)], limit=1)
                if team
                else Rotation
            ) or Rotation.search([("team_id", "=", False)], limit=1)

    @api.depends("rotation_id")
    def _compute_oncall_user_id(self):
        now = fields.Datetime.now()
        for wizard in self:
            wizard.oncall_user_id = (
                wizard.rotation_id.sudo()._on_call(now) if wizard.rotation_id else False
            )

    def action_escalate(self):
        self.ensure_one()
        ticket = self.ticket_id
        if ticket.stage_id.closed:
            raise UserError(self.env._("A closed ticket cannot be escalated."))
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(self.env._("Say why the ticket is escalated."))
        values, changes = {}, []
        if self.raise_priority and self.new_priority != ticket.priority:
            values["priority"] = self.new_priority
            changes.append(f"priority={self.new_priority}")
        if self.team_id and self.team_id != ticket.team_id:
            values["team_id"] = self.team_id.id
            changes.append(f"team={self.team_id.name}")
        if values:
            ticket.write(values)
        oncall = self.oncall_user_id if self.notify_oncall else self.env["res.users"]
        if self.notify_oncall and not oncall:
            raise UserError(
                self.env._("Nobody is on call for this team now: untick Tell On-call.")
            )
        body = self.env._(
            "Escalated by %(user)s: %(reason)s",
            user=self.env.user.name,
            reason=reason,
        )
        ticket.message_post(
            body=body,
            subtype_xmlid="mail.mt_note",
            partner_ids=oncall.partner_id.ids,
        )
        if oncall:
            ticket.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Escalated: %(reason)s", reason=reason[:80]),
                note=body,
                user_id=oncall.id,
            )
            changes.append(f"notified {oncall.name} (on call)")
        ticket._msp_log(
            "escalation",
            "; ".join([self.env._("manual: %(reason)s", reason=reason), *changes]),
        )
        return {"type": "ir.actions.act_window_close"}
