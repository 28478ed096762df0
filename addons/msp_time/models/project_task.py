# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.exceptions import UserError


class ProjectTask(models.Model):
    _name = "project.task"
    _inherit = ["project.task", "msp.timer.mixin"]

    def _msp_timer_values(self):
        self.ensure_one()
        if not self.project_id.allow_timesheets:
            raise UserError(
                self.env._(
                    "Task %(task)s is not in a project that allows timesheets.",
                    task=self.display_name,
                )
            )
        return {
            "task_id": self.id,
            "project_id": self.project_id.id,
            "name": self.name,
        }

    def button_end_work(self):
        return self._msp_end_work(super().button_end_work)
