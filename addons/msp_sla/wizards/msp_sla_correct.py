# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A service manager's tracked correction of a stopped clock (e.g. the
technician phoned the client at 09:50 but wrote the e-mail at 10:40)."""

from odoo import api, fields, models
from odoo.exceptions import UserError


class MspSlaCorrect(models.TransientModel):
    _name = "msp.sla.correct"
    _description = "Correct an SLA Clock"

    clock_id = fields.Many2one("msp.sla.clock", required=True, ondelete="cascade")
    stopped_at = fields.Datetime(string="Actual Stop", required=True)
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        clock = self.env["msp.sla.clock"].browse(values.get("clock_id"))
        if clock and "stopped_at" in fields_list:
            values["stopped_at"] = clock.stopped_at
        return values

    def action_apply(self):
        self.ensure_one()
        if not self.env.user.has_group("msp_base.group_msp_service_manager"):
            raise UserError(self.env._("Only service managers correct SLA clocks."))
        clock = self.clock_id.sudo()
        if clock.state != "stopped":
            raise UserError(self.env._("Only a stopped clock can be corrected."))
        if self.stopped_at < clock.start:
            raise UserError(self.env._("A clock cannot stop before the ticket exists."))
        old = clock.stopped_at
        clock.write({"stopped_at": self.stopped_at, "breached": False})
        clock._restop(fire=False)
        breaches = clock._breaches()
        if not clock.breached:
            breaches.unlink()
        elif not breaches:
            self.env["msp.sla.breach"].sudo().create(clock._breach_values())
        clock._breaches()._record_actual()
        clock.breach_notified = clock.breached
        clock.ticket_id._msp_sla_sync_status()
        clock.ticket_id.message_post(
            body=self.env._(
                "SLA correction by %(user)s: %(clock)s stop %(old)s → %(new)s (UTC). "
                "Reason: %(reason)s",
                user=self.env.user.name,
                clock=clock.display_name,
                old=fields.Datetime.to_string(old),
                new=fields.Datetime.to_string(self.stopped_at),
                reason=self.reason,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}
