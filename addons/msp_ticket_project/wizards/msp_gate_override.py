# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A Service Manager lets a project go In Flight with its kickoff gate
incomplete, with a reason. Who, when and why are stored on the project and
logged in its chatter."""

from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.msp_base.models.msp_system_fields import system_write


class MspGateOverride(models.TransientModel):
    _name = "msp.gate.override"
    _description = "Kickoff Gate Override"

    project_id = fields.Many2one(
        "project.project", required=True, ondelete="cascade", readonly=True
    )
    gate_missing = fields.Text(related="project_id.msp_gate_missing", string="Missing")
    reason = fields.Text(
        help="Why the project starts without a complete gate (logged in the "
        "project's chatter)."
    )

    def _check_service_manager(self):
        if not self.env.user.has_group("msp_base.group_msp_service_manager"):
            raise AccessError(
                self.env._("Only a Service Manager may override the kickoff gate.")
            )

    def action_confirm(self):
        self.ensure_one()
        self._check_service_manager()
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(
                self.env._("Give the reason for overriding the kickoff gate.")
            )
        project = self.project_id
        if project.msp_state != "proposed":
            raise UserError(
                self.env._(
                    "Only a Proposed project can go In Flight by overriding "
                    "its gate (%(project)s is %(state)s).",
                    project=project.display_name,
                    state=dict(
                        project._fields["msp_state"]._description_selection(self.env)
                    ).get(project.msp_state, self.env._("not a client project")),
                )
            )
        with system_write():
            project.write(
                {
                    "msp_gate_override_reason": reason,
                    "msp_gate_override_by_id": self.env.user.id,
                    "msp_gate_override_date": fields.Datetime.now(),
                    "msp_state": "in_flight",
                }
            )
        project._msp_log_gate_override()
        return {"type": "ir.actions.act_window_close"}
