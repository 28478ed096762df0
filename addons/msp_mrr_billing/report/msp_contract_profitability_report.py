# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL

from .msp_mrr_report import (
    BILLED_DEPENDS,
    BILLED_LINES,
    CONTRACT_DEPENDS,
    TIME_DEPENDS,
    merge_depends,
)


class MspContractProfitabilityReport(models.Model):
    """Per MSP contract and cycle month: the revenue its billing-run invoices
    carry (untaxed, recurring and T&M lines, invoices not cancelled) against
    the cost of the client's confirmed time at the employees' cost.

    Both sides use the month the contract's cycle starts in: for a contract
    anchored on the 15th, January is 15 January to 14 February, for the
    revenue (the lines' period) and for the time (the entries' dates)."""

    _name = "msp.contract.profitability.report"
    _inherit = ["msp.billing.report.mixin", "msp.cost.warning.mixin"]
    _description = "Contract Profitability"
    _auto = False
    _depends = merge_depends(BILLED_DEPENDS, TIME_DEPENDS, CONTRACT_DEPENDS)
    _order = "month desc, contract_id"
    _msp_ratios = {"margin_pct": ("margin", "revenue", 100.0)}
    _msp_xlsx_columns = [
        "month",
        "contract_id",
        "client_id",
        "revenue",
        "hours",
        "cost",
        "margin",
        "margin_pct",
        "uncosted_entries",
    ]

    month = fields.Date(readonly=True)
    contract_id = fields.Many2one("contract.contract", readonly=True)
    client_id = fields.Many2one("res.partner", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    revenue = fields.Float(readonly=True, aggregator="sum")
    hours = fields.Float(string="Time (h)", readonly=True, aggregator="sum")
    cost = fields.Float(
        string="Cost of Time",
        readonly=True,
        aggregator="sum",
        help="The client's confirmed time in the cycle at the employees' hourly "
        "cost (the timesheets' amount).",
    )
    margin = fields.Float(readonly=True, aggregator="sum")
    margin_pct = fields.Float(
        string="Margin (%)",
        readonly=True,
        aggregator="avg",
        help="Margin / revenue (grouped: of the group's sums; 0 without revenue).",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %(table)s AS (
            WITH revenue AS (
                SELECT contract_id, company_id, month, sum(amount) AS revenue
                  FROM (%(billed)s) b
              GROUP BY contract_id, company_id, month
            ),
            cost AS (
                -- the cycle month of an entry: shift its date back by the
                -- anchor day (cycles start on day 1 to 28)
                SELECT c.id AS contract_id, c.company_id,
                       date_trunc('month', l.date
                           - (extract(day FROM c.date_start)::int - 1))::date
                           AS month,
                       sum(l.unit_amount) AS hours, sum(-l.amount) AS cost,
                       -- time at no cost: the employee had no hourly cost
                       count(*) FILTER (
                           WHERE coalesce(l.amount, 0) = 0 AND l.unit_amount != 0
                       ) AS uncosted_entries,
                       coalesce(sum(l.unit_amount) FILTER (
                           WHERE coalesce(l.amount, 0) = 0
                       ), 0) AS uncosted_hours
                  FROM contract_contract c
                  JOIN account_analytic_line l
                    ON l.msp_client_id = c.commercial_partner_id
                   AND l.company_id = c.company_id
                   AND l.date >= c.date_start
                   AND (c.date_end IS NULL OR l.date <= c.date_end)
                 WHERE c.msp_billing
                   AND l.project_id IS NOT NULL
                   AND l.msp_state = 'confirmed'
              GROUP BY 1, 2, 3
            ),
            joined AS (
                SELECT coalesce(r.contract_id, k.contract_id) AS contract_id,
                       coalesce(r.company_id, k.company_id) AS company_id,
                       coalesce(r.month, k.month) AS month,
                       coalesce(r.revenue, 0) AS revenue,
                       coalesce(k.hours, 0) AS hours,
                       coalesce(k.cost, 0) AS cost,
                       coalesce(k.uncosted_entries, 0) AS uncosted_entries,
                       coalesce(k.uncosted_hours, 0) AS uncosted_hours
                  FROM revenue r
             FULL JOIN cost k
                    ON k.contract_id = r.contract_id
                   AND k.company_id = r.company_id
                   AND k.month = r.month
            )
            SELECT row_number() OVER (ORDER BY j.month, j.contract_id) AS id,
                   j.month, j.contract_id, c.commercial_partner_id AS client_id,
                   j.company_id, j.revenue, j.hours, j.cost,
                   j.uncosted_entries, j.uncosted_hours,
                   j.uncosted_entries > 0 AS cost_incomplete,
                   j.revenue - j.cost AS margin,
                   CASE WHEN j.revenue != 0
                        THEN 100.0 * (j.revenue - j.cost) / j.revenue
                        ELSE 0 END AS margin_pct
              FROM joined j
              JOIN contract_contract c ON c.id = j.contract_id
            )
            """,
                table=SQL.identifier(self._table),
                billed=BILLED_LINES,
            )
        )
