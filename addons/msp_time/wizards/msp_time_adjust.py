# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The one way to correct locked time: a correcting entry in an open period,
linked to the original and to a reason; the original never changes."""

from odoo import api, fields, models
from odoo.exceptions import UserError


class MspTimeAdjust(models.TransientModel):
    _name = "msp.time.adjust"
    _description = "Adjust a Locked Time Entry"

    line_id = fields.Many2one(
        "account.analytic.line",
        string="Entry to Correct",
        required=True,
        domain=[("project_id", "!=", False), ("msp_adjusted_line_id", "=", False)],
    )
    original_hours = fields.Float(related="line_id.unit_amount", string="Logged (h)")
    corrected_hours = fields.Float(
        string="Should Have Been (h)",
        help="The time the entry should have had (its corrections included). "
        "The correcting entry carries the difference.",
    )
    delta_hours = fields.Float(string="Correction (h)", compute="_compute_delta_hours")
    work_type_id = fields.Many2one(
        "msp.work.type",
        help="Of the correcting entry; the original's when empty.",
    )
    date = fields.Date(
        string="Correction Date",
        required=True,
        default=fields.Date.context_today,
        help="Must be after the lock date (an open period).",
    )
    reason = fields.Char(required=True)

    @api.model
    def default_get(self, fields_list):
        result = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "account.analytic.line" and not result.get(
            "line_id"
        ):
            result["line_id"] = context.get("active_id")
        line = self.env["account.analytic.line"].browse(result.get("line_id"))
        if line and "corrected_hours" in fields_list:
            result["corrected_hours"] = line._msp_corrected_hours()
        return result

    @api.depends("line_id", "corrected_hours")
    def _compute_delta_hours(self):
        for wizard in self:
            wizard.delta_hours = (
                wizard.corrected_hours - wizard.line_id._msp_corrected_hours()
                if wizard.line_id
                else 0.0
            )

    def action_adjust(self):
        self.ensure_one()
        line = self.line_id
        if line.msp_adjusted_line_id:
            raise UserError(self.env._("Correct the original entry, not a correction."))
        if not round(self.delta_hours * 3600):
            raise UserError(self.env._("The correction changes nothing."))
        lock = line._msp_lock_date()
        if lock and self.date <= lock:
            raise UserError(
                self.env._(
                    "The correction must be dated after the lock date %(date)s.",
                    date=lock,
                )
            )
        # The wizard is the gate (service managers and billing only, see the
        # access rules); the entry belongs to the original's technician. The
        # period lock still applies under sudo.
        correction = (
            self.env["account.analytic.line"]
            .sudo()
            .create(
                {
                    "name": self.env._(
                        "Correction of %(entry)s: %(reason)s",
                        entry=line.name,
                        reason=self.reason,
                    ),
                    "date": self.date,
                    "unit_amount": self.delta_hours,
                    "project_id": line.project_id.id,
                    "task_id": line.task_id.id,
                    "ticket_id": line.ticket_id.id,
                    "employee_id": line.employee_id.id,
                    "user_id": line.user_id.id,
                    "msp_work_type_id": (self.work_type_id or line.msp_work_type_id).id,
                    "msp_time_category_id": line.msp_time_category_id.id,
                    "msp_adjusted_line_id": line.id,
                    "msp_adjustment_reason": self.reason,
                }
            )
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": correction._name,
            "res_id": correction.id,
            "view_mode": "form",
            "views": [(self.env.ref("msp_time.aal_view_form_entry").id, "form")],
            "target": "current",
        }
