# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Project analysis: per client project, planned vs actual hours, budget
burn, estimate accuracy, revenue, cost and margin, against the plan.

One SQL (``project_figures_sql``) gives these figures per project, for the
report's view (every project) and for the project form (a batch of
projects): the same numbers in both places, one query per batch whatever
the number of time entries.

- Budget = the phases' (milestones') hour budgets; planned = the estimates
  (allocated hours) of the top-level tasks; actual = the time logged on the
  project.
- Burn = actual / budget; estimate accuracy = actual / planned (how good the
  task estimates were; burn already compares with the budget).
- Revenue = posted customer invoices and refunds, untaxed, of the lines that
  carry the project (``account.move.line.msp_project_id``), in company
  currency; cost = the time's cost (hr_timesheet's amount: hours x the
  employee's hourly cost); margin = revenue - cost. Time by employees
  without an hourly cost is counted and flagged: the margin is overstated.
- Plan: revenue = the fixed price (fixed fee), the phases' amounts
  (milestones) or budget hours x the project's hourly rate (T&M); cost =
  budget hours x the company's average employee hourly cost (all companies'
  for a project without company; who does the work is not known when
  planning); planned margin = their difference.
"""

from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.project_milestone import AMBER_PCT, BURN_STATES
from ..models.project_project import BILLING_TYPES, PROJECT_STATES


def _only(column, project_ids):
    if project_ids is None:
        return SQL("TRUE")
    return SQL("%s = ANY(%s)", column, list(project_ids))


def project_figures_sql(project_ids=None):
    """Per non-template project (all, or ``project_ids``): the analysis row."""
    return SQL(
        """
        WITH phases AS (
            SELECT m.project_id, sum(m.msp_budget_hours) AS budget_hours,
                   sum(m.msp_amount) AS milestone_amount
              FROM project_milestone m
             WHERE %(phase_filter)s
          GROUP BY m.project_id
        ),
        tasks AS (
            SELECT t.project_id, sum(t.allocated_hours) AS planned_hours
              FROM project_task t
             WHERE t.active AND t.parent_id IS NULL
               AND t.project_id IS NOT NULL AND %(task_filter)s
          GROUP BY t.project_id
        ),
        time AS (
            SELECT l.project_id, sum(l.unit_amount) AS hours,
                   sum(-l.amount) AS cost,
                   -- time at no cost: its employee had no hourly cost
                   count(*) FILTER (
                       WHERE coalesce(l.amount, 0) = 0 AND l.unit_amount != 0
                   ) AS uncosted_entries,
                   coalesce(sum(l.unit_amount) FILTER (
                       WHERE coalesce(l.amount, 0) = 0
                   ), 0) AS uncosted_hours
              FROM account_analytic_line l
             WHERE l.project_id IS NOT NULL AND %(time_filter)s
          GROUP BY l.project_id
        ),
        revenue AS (
            SELECT aml.msp_project_id AS project_id, sum(-aml.balance) AS revenue
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
             WHERE aml.msp_project_id IS NOT NULL AND %(revenue_filter)s
               AND am.state = 'posted'
               AND am.move_type IN ('out_invoice', 'out_refund')
               AND aml.display_type = 'product'
          GROUP BY aml.msp_project_id
        ),
        rates AS (
            -- per company, and over all companies (projects shared
            -- between companies have none)
            SELECT e.company_id, GROUPING(e.company_id) = 1 AS overall,
                   avg(e.hourly_cost) AS cost_rate
              FROM hr_employee e
             WHERE e.active AND e.hourly_cost > 0
          GROUP BY GROUPING SETS ((e.company_id), ())
        ),
        figures AS (
            SELECT p.id AS project_id, cp.commercial_partner_id AS client_id,
                   p.user_id, p.company_id, p.msp_state AS state,
                   p.msp_billing_type AS billing_type, p.date_start,
                   p.date AS date_end,
                   coalesce(ph.budget_hours, 0) AS budget_hours,
                   coalesce(tk.planned_hours, 0) AS planned_hours,
                   coalesce(tm.hours, 0) AS actual_hours,
                   coalesce(rv.revenue, 0) AS revenue,
                   coalesce(tm.cost, 0) AS cost,
                   coalesce(tm.uncosted_entries, 0) AS uncosted_entries,
                   coalesce(tm.uncosted_hours, 0) AS uncosted_hours,
                   CASE p.msp_billing_type
                        WHEN 'fixed' THEN coalesce(p.msp_fixed_price, 0)
                        WHEN 'milestone' THEN coalesce(ph.milestone_amount, 0)
                        ELSE coalesce(ph.budget_hours, 0)
                             * coalesce(p.msp_hourly_rate, 0)
                   END AS planned_revenue,
                   coalesce(ph.budget_hours, 0)
                       * coalesce(r.cost_rate, rg.cost_rate, 0) AS planned_cost
              FROM project_project p
         LEFT JOIN res_partner cp ON cp.id = p.partner_id
         LEFT JOIN phases ph ON ph.project_id = p.id
         LEFT JOIN tasks tk ON tk.project_id = p.id
         LEFT JOIN time tm ON tm.project_id = p.id
         LEFT JOIN revenue rv ON rv.project_id = p.id
         LEFT JOIN rates r ON NOT r.overall AND r.company_id = p.company_id
         LEFT JOIN rates rg ON rg.overall
             WHERE NOT coalesce(p.is_template, false) AND %(project_filter)s
        )
        SELECT f.project_id AS id, f.*,
               CASE WHEN f.budget_hours > 0
                    THEN 100.0 * f.actual_hours / f.budget_hours ELSE 0 END
                   AS burn_pct,
               CASE WHEN f.budget_hours > 0 AND f.actual_hours > f.budget_hours
                        THEN 'red'
                    WHEN f.budget_hours > 0
                         AND f.actual_hours >= %(amber)s * f.budget_hours / 100.0
                        THEN 'amber'
                    WHEN f.budget_hours <= 0 AND f.actual_hours > 0 THEN 'red'
                    ELSE 'green' END AS burn_state,
               CASE WHEN f.planned_hours > 0
                    THEN 100.0 * f.actual_hours / f.planned_hours ELSE 0 END
                   AS accuracy_pct,
               f.revenue - f.cost AS margin,
               CASE WHEN f.revenue != 0
                    THEN 100.0 * (f.revenue - f.cost) / f.revenue ELSE 0 END
                   AS margin_pct,
               f.planned_revenue - f.planned_cost AS planned_margin,
               f.uncosted_entries > 0 AS cost_incomplete
          FROM figures f
        """,
        phase_filter=_only(SQL.identifier("m", "project_id"), project_ids),
        task_filter=_only(SQL.identifier("t", "project_id"), project_ids),
        time_filter=_only(SQL.identifier("l", "project_id"), project_ids),
        revenue_filter=_only(SQL.identifier("aml", "msp_project_id"), project_ids),
        # the report lists live projects; a given (archived) one is computed
        project_filter=(
            SQL("p.active")
            if project_ids is None
            else _only(SQL.identifier("p", "id"), project_ids)
        ),
        amber=AMBER_PCT,
    )


class MspProjectAnalysis(models.Model):
    _name = "msp.project.analysis"
    _inherit = ["msp.billing.report.mixin", "msp.cost.warning.mixin"]
    _description = "Project Analysis"
    _auto = False
    _order = "project_id desc"
    _depends = {
        "project.project": [
            "active",
            "partner_id",
            "user_id",
            "company_id",
            "msp_state",
            "msp_billing_type",
            "msp_fixed_price",
            "msp_hourly_rate",
            "date_start",
            "date",
            "is_template",
        ],
        "project.milestone": ["project_id", "msp_budget_hours", "msp_amount"],
        "project.task": ["project_id", "allocated_hours", "parent_id", "active"],
        "account.analytic.line": ["project_id", "unit_amount", "amount"],
        "account.move.line": ["msp_project_id", "balance", "display_type"],
        "account.move": ["state", "move_type"],
        "hr.employee": ["hourly_cost", "active", "company_id"],
    }
    _msp_ratios = {
        "burn_pct": ("actual_hours", "budget_hours", 100.0),
        "accuracy_pct": ("actual_hours", "planned_hours", 100.0),
        "margin_pct": ("margin", "revenue", 100.0),
    }
    _msp_xlsx_columns = [
        "project_id",
        "client_id",
        "user_id",
        "state",
        "budget_hours",
        "planned_hours",
        "actual_hours",
        "burn_pct",
        "accuracy_pct",
        "planned_revenue",
        "revenue",
        "cost",
        "margin",
        "margin_pct",
        "planned_margin",
        "uncosted_entries",
    ]

    project_id = fields.Many2one("project.project", readonly=True)
    client_id = fields.Many2one("res.partner", readonly=True)
    user_id = fields.Many2one("res.users", string="Project Manager", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    state = fields.Selection(PROJECT_STATES, string="Delivery State", readonly=True)
    billing_type = fields.Selection(BILLING_TYPES, string="Billing", readonly=True)
    date_start = fields.Date(string="Start", readonly=True)
    date_end = fields.Date(string="End", readonly=True)
    budget_hours = fields.Float(string="Budget (h)", readonly=True, aggregator="sum")
    planned_hours = fields.Float(
        string="Planned (h)",
        readonly=True,
        aggregator="sum",
        help="Estimates of the project's tasks.",
    )
    actual_hours = fields.Float(string="Actual (h)", readonly=True, aggregator="sum")
    burn_pct = fields.Float(
        string="Burn (%)",
        readonly=True,
        aggregator="avg",
        help="Actual / budget hours (grouped: of the group's sums).",
    )
    burn_state = fields.Selection(BURN_STATES, string="Burn", readonly=True)
    accuracy_pct = fields.Float(
        string="Estimate Accuracy (%)",
        readonly=True,
        aggregator="avg",
        help="Actual / planned hours (the tasks' estimates): 100 % is spot "
        "on, above it the work was underestimated.",
    )
    revenue = fields.Float(readonly=True, aggregator="sum")
    cost = fields.Float(
        string="Cost of Time",
        readonly=True,
        aggregator="sum",
        help="The project's time at the employees' hourly cost.",
    )
    margin = fields.Float(readonly=True, aggregator="sum")
    margin_pct = fields.Float(
        string="Margin (%)",
        readonly=True,
        aggregator="avg",
        help="Margin / revenue (grouped: of the group's sums; 0 without revenue).",
    )
    planned_revenue = fields.Float(readonly=True, aggregator="sum")
    planned_cost = fields.Float(readonly=True, aggregator="sum")
    planned_margin = fields.Float(readonly=True, aggregator="sum")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                project_figures_sql(),
            )
        )
