# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models, tools
from odoo.tools import SQL

from .msp_mrr_report import (
    BILLED_DEPENDS,
    BILLED_LINES,
    CLIENT_DEPENDS,
    CONTRACT_DEPENDS,
    MSP_CLIENTS,
    TIME_DEPENDS,
    merge_depends,
)

AGING = [
    ("0_30", "0-30 days"),
    ("31_60", "31-60 days"),
    ("61_90", "61-90 days"),
    ("over_90", "Over 90 days"),
]


class MspWipReport(models.Model):
    """Unbilled work in progress: confirmed billable (T&M) and project time
    that no invoice has billed yet, one row per time entry, aged by its date
    against today, valued at the rate that bills it (``_msp_rate_sql``: the
    client's MSP contract T&M rate here; modules billing project time
    elsewhere value it their way). Per client, the time older than 30 days
    against the client's last billed month."""

    _name = "msp.wip.report"
    _inherit = ["msp.billing.report.mixin"]
    _description = "Unbilled WIP"
    _auto = False
    _depends = merge_depends(
        BILLED_DEPENDS,
        TIME_DEPENDS,
        CONTRACT_DEPENDS,
        CLIENT_DEPENDS,
        {
            "contract.contract": ["msp_tm_product_id", "msp_included_hours"],
            "contract.line": ["contract_id", "msp_qty_source"],
            "helpdesk.ticket": ["msp_contract_id"],
        },
    )
    _order = "date, id"
    _msp_xlsx_columns = [
        "date",
        "client_id",
        "ticket_id",
        "project_id",
        "employee_id",
        "work_kind",
        "aging",
        "age_days",
        "hours",
        "rate",
        "rate_source",
        "amount",
        "client_over_30",
        "client_revenue",
        "over_30_ratio",
    ]

    entry_id = fields.Many2one(
        "account.analytic.line", string="Time Entry", readonly=True
    )
    date = fields.Date(readonly=True)
    client_id = fields.Many2one("res.partner", readonly=True)
    ticket_id = fields.Many2one("helpdesk.ticket", readonly=True)
    project_id = fields.Many2one("project.project", readonly=True)
    employee_id = fields.Many2one("hr.employee", string="Engineer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    work_kind = fields.Selection(
        [("billable", "Billable (T&M)"), ("project", "Project delivery")],
        readonly=True,
    )
    age_days = fields.Integer(string="Age (days)", readonly=True, aggregator="max")
    aging = fields.Selection(AGING, readonly=True)
    actual_hours = fields.Float(string="Actual (h)", readonly=True, aggregator="sum")
    hours = fields.Float(string="Billable (h)", readonly=True, aggregator="sum")
    rate = fields.Float(
        string="T&M Rate",
        readonly=True,
        aggregator="max",
        help="The hourly rate the time is valued at (see Rate Source): the T&M "
        "rate of the client's MSP contract (0 when it has none).",
    )
    rate_source = fields.Selection(
        [("contract", "MSP contract"), ("none", "No contract rate")],
        readonly=True,
        help="Where the rate comes from. MSP contract: the T&M rate of the "
        "contract billing the work (the ticket's, else the client's). No "
        "contract rate: the client has no MSP contract billing T&M work, the "
        "time is valued at 0.",
    )
    amount = fields.Float(string="Value", readonly=True, aggregator="sum")
    amount_over_30 = fields.Float(
        string="Value over 30 Days", readonly=True, aggregator="sum"
    )
    client_over_30 = fields.Float(
        string="Client WIP over 30 Days",
        readonly=True,
        aggregator="max",
        help="The client's unbilled value older than 30 days (a client figure: "
        "group by client).",
    )
    revenue_month = fields.Date(
        string="Last Billed Month", readonly=True, aggregator="max"
    )
    client_revenue = fields.Float(
        string="Client Monthly Revenue",
        readonly=True,
        aggregator="max",
        help="What the billing run invoiced the client for its last billed month "
        "(untaxed, recurring and T&M lines).",
    )
    over_30_ratio = fields.Float(
        string="WIP over 30 Days / Revenue (%)",
        readonly=True,
        aggregator="max",
        help="The client's unbilled value older than 30 days against its last "
        "billed month's revenue (0 when nothing was billed yet). Grouped over "
        "several clients, the highest.",
    )

    @api.model
    def _msp_rate_sql(self):
        """How an unbilled entry is valued, as SQL over the view's ``wip``
        query: ``{"joins": extra joins, "rate": the hourly rate, "source":
        its rate_source value}``. The expressions read the aliases ``l``
        (account_analytic_line), ``tc`` (the terms of the ticket's contract)
        and ``r`` (the client's default terms); ``joins`` may add others.
        The amount is billed hours x rate (x the after-hours multiplier on
        T&M work). Here: the contract T&M rate. Override it, wrapping
        super()'s expressions, for time another module bills (one query,
        no per-row Python)."""
        contract_rate = SQL("coalesce(tc.rate, r.rate)")
        return {
            "joins": SQL(""),
            "rate": SQL("coalesce(%s, 0)", contract_rate),
            "source": SQL(
                "CASE WHEN %s IS NULL THEN 'none' ELSE 'contract' END", contract_rate
            ),
        }

    def init(self):
        valuation = self._msp_rate_sql()
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %(table)s AS (
            WITH terms AS (
                -- the MSP contracts that bill T&M work, as the run picks
                -- them (BillingFacts._hours_contracts)
                SELECT c.id, c.company_id, c.commercial_partner_id AS client_id,
                       coalesce(c.msp_tm_rate, 0) AS rate,
                       coalesce(nullif(c.msp_after_hours_multiplier, 0), 1)
                           AS after_hours_multiplier,
                       (c.date_end IS NULL OR c.date_end >= CURRENT_DATE)
                           AS running,
                       (coalesce(c.msp_included_hours, 0) > 0
                        OR EXISTS (SELECT 1 FROM contract_line cl
                                    WHERE cl.contract_id = c.id
                                      AND cl.msp_qty_source = 'overage'))
                           AS bills_included
                  FROM contract_contract c
                 WHERE c.msp_billing AND c.active
                   AND c.msp_tm_product_id IS NOT NULL
            ),
            rates AS (
                -- work whose ticket names no such contract goes to the
                -- client's running managed-services contract first
                SELECT DISTINCT ON (company_id, client_id) *
                  FROM terms
              ORDER BY company_id, client_id, running DESC, bills_included DESC,
                       id
            ),
            revenue AS (
                SELECT DISTINCT ON (company_id, client_id)
                       company_id, client_id, month, amount
                  FROM (SELECT company_id, client_id, month, sum(amount) AS amount
                          FROM (%(billed)s) b
                      GROUP BY company_id, client_id, month) m
              ORDER BY company_id, client_id, month DESC
            ),
            wip AS (
                SELECT l.id, l.id AS entry_id, l.date, l.msp_client_id AS client_id,
                       l.ticket_id, l.project_id, l.employee_id, l.company_id,
                       l.msp_work_kind AS work_kind,
                       CURRENT_DATE - l.date AS age_days,
                       l.unit_amount AS actual_hours,
                       coalesce(l.msp_billed_hours, 0) AS hours,
                       %(rate)s AS rate,
                       %(source)s AS rate_source,
                       coalesce(l.msp_billed_hours, 0) * %(rate)s
                           -- the run prices after-hours T&M work higher;
                           -- project work is billed by its project
                           * CASE WHEN l.msp_after_hours
                                   AND l.msp_work_kind = 'billable'
                                  THEN coalesce(tc.after_hours_multiplier,
                                                r.after_hours_multiplier, 1)
                                  ELSE 1 END
                           AS amount
                  FROM account_analytic_line l
             LEFT JOIN helpdesk_ticket t ON t.id = l.ticket_id
             LEFT JOIN terms tc
                    ON tc.id = t.msp_contract_id
                   AND tc.company_id = l.company_id
             LEFT JOIN rates r
                    ON r.client_id = l.msp_client_id
                   AND r.company_id = l.company_id
             %(joins)s
             LEFT JOIN msp_billed_time bt ON bt.entry_id = l.id
             LEFT JOIN account_move_line bl ON bl.id = bt.invoice_line_id
             LEFT JOIN account_move bm ON bm.id = bl.move_id
                 WHERE l.project_id IS NOT NULL
                   AND l.msp_state = 'confirmed'
                   AND l.msp_work_kind IN ('billable', 'project')
                   AND (bt.entry_id IS NULL OR bm.state = 'cancel')
                   AND l.msp_client_id IN (%(clients)s)
            ),
            aged AS (
                SELECT w.*,
                       CASE WHEN w.age_days <= 30 THEN '0_30'
                            WHEN w.age_days <= 60 THEN '31_60'
                            WHEN w.age_days <= 90 THEN '61_90'
                            ELSE 'over_90' END AS aging,
                       CASE WHEN w.age_days > 30 THEN w.amount ELSE 0 END
                           AS amount_over_30
                  FROM wip w
            )
            SELECT a.*,
                   sum(a.amount_over_30) OVER (
                       PARTITION BY a.company_id, a.client_id) AS client_over_30,
                   rv.month AS revenue_month,
                   coalesce(rv.amount, 0) AS client_revenue,
                   CASE WHEN rv.amount > 0
                        THEN 100.0 * sum(a.amount_over_30) OVER (
                                 PARTITION BY a.company_id, a.client_id)
                             / rv.amount
                        ELSE 0 END AS over_30_ratio
              FROM aged a
         LEFT JOIN revenue rv
                ON rv.client_id = a.client_id
               AND rv.company_id = a.company_id
            )
            """,
                table=SQL.identifier(self._table),
                billed=BILLED_LINES,
                clients=MSP_CLIENTS,
                rate=valuation["rate"],
                source=valuation["source"],
                joins=valuation["joins"],
            )
        )
