# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Tasks done for a change order, and the time logged on them before the
client approved it: flagged on the task and the time entry, and one
activity per change order for the project manager."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProjectTask(models.Model):
    _inherit = "project.task"

    msp_change_order_id = fields.Many2one(
        "msp.change.order",
        string="Change Order",
        index="btree_not_null",
        tracking=True,
        domain="[('project_id', '=', project_id), ('state', '!=', 'rejected')]",
        help="The change order this task delivers. Time logged before the "
        "client approves it is flagged to the project manager.",
    )
    msp_change_order_state = fields.Selection(
        related="msp_change_order_id.state", string="Change Order Status"
    )
    msp_change_order_pending = fields.Boolean(
        string="Change Order Not Approved",
        compute="_compute_msp_change_order_pending",
        search="_search_msp_change_order_pending",
        help="The task belongs to a change order the client has not approved.",
    )

    @api.depends("msp_change_order_id.state")
    def _compute_msp_change_order_pending(self):
        for task in self:
            task.msp_change_order_pending = bool(
                task.msp_change_order_id
                and task.msp_change_order_id.state != "approved"
            )

    def _search_msp_change_order_pending(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("Unsupported search."))
        positive = (operator == "=") == value
        domain = [
            ("msp_change_order_id", "!=", False),
            ("msp_change_order_id.state", "!=", "approved"),
        ]
        return domain if positive else ["!", "&", *domain]

    @api.constrains("msp_change_order_id", "project_id")
    def _check_msp_change_order_project(self):
        for task in self:
            order = task.msp_change_order_id
            if order and order.project_id != task.project_id:
                raise ValidationError(
                    self.env._(
                        "Task %(task)s and change order %(order)s belong to "
                        "different projects.",
                        task=task.name,
                        order=order.name,
                    )
                )

    def write(self, vals):
        result = super().write(vals)
        if vals.get("msp_change_order_id"):
            # tied to a change order after time was logged on it
            logged = self.env["account.analytic.line"].search_count(
                [("task_id", "in", self.ids)], limit=1
            )
            if logged:
                self.msp_change_order_id._msp_flag_unapproved_time()
        return result
