# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from odoo.addons.msp_mrr_billing.report.msp_billing_report_mixin import cost_warning

from .project_milestone import BURN_STATES, burn

# rates, prices, costs and margins: project managers (service managers
# through them) and billing, never technicians
MONEY_GROUPS = "msp_ticket_project.group_msp_project_manager,msp_base.group_msp_billing"

PROJECT_STATES = [
    ("proposed", "Proposed"),
    ("in_flight", "In Flight"),
    ("hypercare", "Hypercare"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]

BILLING_TYPES = [
    ("fixed", "Fixed Fee"),
    ("tm", "Time & Materials"),
    ("milestone", "Milestones"),
]


class ProjectProject(models.Model):
    _inherit = "project.project"

    msp_state = fields.Selection(
        PROJECT_STATES,
        string="Delivery State",
        tracking=True,
        index="btree_not_null",
        copy=False,
        help="Client projects start Proposed; they go In Flight only once "
        "the kickoff gate is complete. Empty on internal projects (a team's "
        "service-desk project).",
    )
    msp_billing_type = fields.Selection(
        BILLING_TYPES,
        string="Billing",
        default="tm",
        tracking=True,
        help="Fixed fee: one price (change orders add billable lines). "
        "Time & materials: project hours at the project rate. Milestones: "
        "each phase's amount when it is reached.",
    )
    msp_fixed_price = fields.Monetary(
        string="Fixed Price",
        currency_field="currency_id",
        tracking=True,
        groups=MONEY_GROUPS,
    )
    msp_hourly_rate = fields.Monetary(
        string="Hourly Rate",
        currency_field="currency_id",
        tracking=True,
        groups=MONEY_GROUPS,
        help="Time & materials rate, and the rate change orders are priced at.",
    )
    msp_origin_ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="Origin Ticket",
        index="btree_not_null",
        copy=False,
        ondelete="set null",
        help="The ticket this project was converted from.",
    )

    # ------------------------------------------------------------ rollups
    # Not stored, computed per batch of projects: hours in three _read_group
    # calls, money in one SQL (the project analysis's), so the number of
    # queries does not grow with the time entries.
    msp_budget_hours = fields.Float(
        string="Budget (h)",
        compute="_compute_msp_hours",
        help="Sum of the phases' hour budgets.",
    )
    msp_planned_hours = fields.Float(
        string="Planned (h)",
        compute="_compute_msp_hours",
        help="Sum of the estimates of the project's tasks (top-level tasks: "
        "a subtask's estimate is part of its parent's).",
    )
    msp_actual_hours = fields.Float(
        string="Actual (h)",
        compute="_compute_msp_hours",
        help="Time logged on the project (its tasks and its tickets).",
    )
    msp_burn_pct = fields.Float(
        string="Burn (%)", compute="_compute_msp_hours", help="Actual / budget hours."
    )
    msp_burn_state = fields.Selection(
        BURN_STATES, string="Burn", compute="_compute_msp_hours"
    )
    msp_estimate_accuracy = fields.Float(
        string="Estimate Accuracy (%)",
        compute="_compute_msp_hours",
        help="Actual / planned hours (the tasks' estimates): 100 % is spot "
        "on, above it the work was underestimated.",
    )
    msp_revenue = fields.Monetary(
        string="Revenue",
        compute="_compute_msp_margin",
        groups=MONEY_GROUPS,
        help="Posted customer invoices and refunds (untaxed) of lines that "
        "bill this project.",
    )
    msp_cost = fields.Monetary(
        string="Cost of Time",
        compute="_compute_msp_margin",
        groups=MONEY_GROUPS,
        help="The project's time at the employees' hourly cost.",
    )
    msp_margin = fields.Monetary(
        string="Margin", compute="_compute_msp_margin", groups=MONEY_GROUPS
    )
    msp_margin_pct = fields.Float(
        string="Margin (%)", compute="_compute_msp_margin", groups=MONEY_GROUPS
    )
    msp_planned_revenue = fields.Monetary(
        string="Planned Revenue",
        compute="_compute_msp_margin",
        groups=MONEY_GROUPS,
        help="Fixed fee: the fixed price; milestones: the phases' amounts; "
        "T&M: budget hours x hourly rate.",
    )
    msp_planned_cost = fields.Monetary(
        string="Planned Cost",
        compute="_compute_msp_margin",
        groups=MONEY_GROUPS,
        help="Budget hours x the company's average employee hourly cost.",
    )
    msp_planned_margin = fields.Monetary(
        string="Planned Margin", compute="_compute_msp_margin", groups=MONEY_GROUPS
    )
    msp_cost_warning = fields.Char(
        string="Cost Warning",
        compute="_compute_msp_margin",
        groups=MONEY_GROUPS,
        help="Time by employees without an hourly cost: the margin is "
        "overstated by its cost.",
    )

    def _msp_project_ids(self):
        return [project_id for project_id in self._origin.ids if project_id]

    @api.depends(
        "milestone_ids.msp_budget_hours", "task_ids.allocated_hours", "task_ids.active"
    )
    def _compute_msp_hours(self):
        ids = self._msp_project_ids()
        budget, planned, actual = {}, {}, {}
        if ids:
            env = self.sudo().env
            budget = dict(
                env["project.milestone"]._read_group(
                    [("project_id", "in", ids)],
                    ["project_id"],
                    ["msp_budget_hours:sum"],
                )
            )
            planned = dict(
                env["project.task"]._read_group(
                    [("project_id", "in", ids), ("parent_id", "=", False)],
                    ["project_id"],
                    ["allocated_hours:sum"],
                )
            )
            actual = dict(
                env["account.analytic.line"]._read_group(
                    [("project_id", "in", ids)],
                    ["project_id"],
                    ["unit_amount:sum"],
                )
            )
        for project in self:
            key = project._origin
            project.msp_budget_hours = budget.get(key, 0.0)
            project.msp_planned_hours = planned.get(key, 0.0)
            project.msp_actual_hours = actual.get(key, 0.0)
            project.msp_burn_pct, project.msp_burn_state = burn(
                project.msp_actual_hours, project.msp_budget_hours
            )
            project.msp_estimate_accuracy = (
                100.0 * project.msp_actual_hours / project.msp_planned_hours
                if project.msp_planned_hours
                else 0.0
            )

    def _compute_msp_margin(self):
        # late import: the report module imports this one
        from ..report.msp_project_analysis import (  # noqa: PLC0415
            project_figures_sql,
        )

        ids = self._msp_project_ids()
        rows = {}
        if ids:
            self.env.flush_all()
            self.env.cr.execute(project_figures_sql(ids))
            rows = {row["id"]: row for row in self.env.cr.dictfetchall()}
        for project in self:
            row = rows.get(project._origin.id, {})
            project.msp_revenue = row.get("revenue", 0.0)
            project.msp_cost = row.get("cost", 0.0)
            project.msp_margin = row.get("margin", 0.0)
            project.msp_margin_pct = row.get("margin_pct", 0.0)
            project.msp_planned_revenue = row.get("planned_revenue", 0.0)
            project.msp_planned_cost = row.get("planned_cost", 0.0)
            project.msp_planned_margin = row.get("planned_margin", 0.0)
            project.msp_cost_warning = cost_warning(
                self.env, row.get("uncosted_entries", 0), row.get("uncosted_hours", 0)
            )

    def copy_data(self, default=None):
        """A project made from a template starts Proposed (its kickoff gate
        ahead)."""
        vals_list = super().copy_data(default=default)
        for project, vals in zip(self, vals_list, strict=True):
            if project.is_template and "msp_state" not in (default or {}):
                vals["msp_state"] = "proposed"
        return vals_list
