# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import UserError


class HrTimesheetSwitch(models.TransientModel):
    _inherit = "hr.timesheet.switch"

    @api.model
    def _default_running_timer_id(self, employee=None):
        """The running timer is the one the database allows per user
        (zero-hour lines from before msp_time are not timers)."""
        employee = employee or self.env.user.employee_ids
        running = self.env["account.analytic.line"].search(
            [
                ("employee_id", "in", employee.ids),
                ("id", "not in", self.env.context.get("resuming_lines", [])),
                ("msp_timer_running", "=", True),
            ]
        )
        if len(running) > 1:
            raise UserError(
                self.env._(
                    "%(count)s running timers found. Please stop them manually.",
                    count=len(running),
                )
            )
        return running

    def action_switch(self):
        """The line this wizard starts is a timer the user started."""
        return super(
            HrTimesheetSwitch, self.with_context(msp_timer_start=True)
        ).action_switch()
