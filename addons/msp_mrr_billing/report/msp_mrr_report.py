# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL

MOVEMENTS = [
    ("new", "New"),
    ("expansion", "Expansion"),
    ("flat", "Flat"),
    ("contraction", "Contraction"),
    ("churn", "Churn"),
]

# The billing run's invoice lines that count as revenue: product lines of
# customer invoices that are not cancelled, of a billing-run contract still
# invoiced (a voided one was cancelled or credited), in company currency.
BILLED_LINES = SQL("""
    SELECT am.company_id, rl.client_id, rl.contract_id,
           date_trunc('month', aml.msp_period_start)::date AS month,
           aml.contract_line_id, -aml.balance AS amount,
           -- months in the line's cycle (1 monthly, 3 quarterly, 12 yearly)
           greatest(1, round((aml.msp_period_end - aml.msp_period_start + 1)
                             / 30.4375))::int AS months,
           -- for MRR, a partial cycle (first or last) counts at its full
           -- cycle's amount and length: a client starting mid-month is new
           -- MRR of the whole fee, not a part of it then expansion
           -aml.balance / coalesce(nullif(aml.msp_proration_factor, 0), 1)
               AS full_amount,
           greatest(1, round((aml.msp_period_end - aml.msp_period_start + 1)
                             / coalesce(nullif(aml.msp_proration_factor, 0), 1)
                             / 30.4375))::int AS full_months
      FROM account_move_line aml
      JOIN account_move am ON am.id = aml.move_id
      JOIN msp_billing_run_line rl ON rl.id = aml.msp_run_line_id
     WHERE am.move_type = 'out_invoice'
       AND am.state != 'cancel'
       AND rl.state = 'invoiced'
       AND aml.display_type = 'product'
       AND aml.msp_period_start IS NOT NULL
""")
BILLED_DEPENDS = {
    "account.move.line": [
        "move_id",
        "balance",
        "display_type",
        "contract_line_id",
        "msp_period_start",
        "msp_period_end",
        "msp_proration_factor",
        "msp_run_line_id",
    ],
    "account.move": ["move_type", "state", "company_id"],
    "msp.billing.run.line": ["client_id", "contract_id", "state"],
}
TIME_DEPENDS = {
    "account.analytic.line": [
        "date",
        "project_id",
        "company_id",
        "employee_id",
        "user_id",
        "ticket_id",
        "unit_amount",
        "amount",
        "msp_state",
        "msp_work_kind",
        "msp_client_id",
        "msp_billed_hours",
        "msp_after_hours",
        "msp_billing_line_ids",
    ],
    "account.move.line": ["move_id"],
    "account.move": ["state"],
}
CONTRACT_DEPENDS = {
    "contract.contract": [
        "active",
        "company_id",
        "commercial_partner_id",
        "date_start",
        "date_end",
        "msp_billing",
        "msp_tm_rate",
        "msp_after_hours_multiplier",
    ],
}


# The MSP's clients, by design: companies with an MSP role, a contract or
# a ticket (a partner with neither, such as Odoo's stock demo partners, is
# never a client in the MSP reports).
MSP_CLIENTS = SQL(
    """
    SELECT c.commercial_partner_id FROM contract_contract c
     WHERE c.commercial_partner_id IS NOT NULL
    UNION
    SELECT p.commercial_partner_id FROM helpdesk_ticket t
      JOIN res_partner p ON p.id = t.partner_id
     WHERE p.commercial_partner_id IS NOT NULL
    """
)
CLIENT_DEPENDS = {
    "contract.contract": ["commercial_partner_id", "msp_billing", "active"],
    "helpdesk.ticket": ["partner_id"],
    "res.partner": ["commercial_partner_id"],
}


def merge_depends(*parts):
    """One _depends of several: the queries flush what they read."""
    merged = {}
    for part in parts:
        for model, names in part.items():
            merged.setdefault(model, [])
            merged[model] += [name for name in names if name not in merged[model]]
    return merged


class MspMrrReport(models.Model):
    """Monthly recurring revenue per client and month (the month its billing
    cycle starts in), with the move against the month before: new, expansion,
    flat, contraction, churn. Summed over clients, the change columns are the
    month's net new MRR and its parts."""

    _name = "msp.mrr.report"
    _inherit = ["msp.billing.report.mixin"]
    _description = "MRR by Client"
    _auto = False
    _depends = BILLED_DEPENDS
    _order = "month desc, mrr desc"
    _msp_xlsx_columns = [
        "month",
        "client_id",
        "movement",
        "previous_mrr",
        "mrr",
        "change_amount",
        "new_mrr",
        "expansion_mrr",
        "contraction_mrr",
        "churn_mrr",
    ]

    month = fields.Date(readonly=True)
    client_id = fields.Many2one("res.partner", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    movement = fields.Selection(MOVEMENTS, readonly=True)
    mrr = fields.Float(string="MRR", readonly=True, aggregator="sum")
    previous_mrr = fields.Float(
        string="MRR Month Before", readonly=True, aggregator="sum"
    )
    change_amount = fields.Float(
        string="Net Change",
        readonly=True,
        aggregator="sum",
        help="MRR minus the month before's.",
    )
    new_mrr = fields.Float(string="New", readonly=True, aggregator="sum")
    expansion_mrr = fields.Float(string="Expansion", readonly=True, aggregator="sum")
    contraction_mrr = fields.Float(
        string="Contraction", readonly=True, aggregator="sum"
    )
    churn_mrr = fields.Float(string="Churn", readonly=True, aggregator="sum")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %(table)s AS (
            WITH billed AS (%(billed)s),
            -- a quarterly or yearly cycle's amount is spread over its months,
            -- so the months between its invoices are not churn
            monthly AS (
                SELECT b.company_id, b.client_id, m::date AS month,
                       sum(b.full_amount / b.full_months) AS mrr
                  FROM billed b
                 CROSS JOIN LATERAL generate_series(
                       b.month,
                       b.month + (b.full_months - 1) * interval '1 month',
                       interval '1 month') m
                 WHERE b.contract_line_id IS NOT NULL
              GROUP BY b.company_id, b.client_id, m
            ),
            -- every month from the client's first to the company's last
            -- billed month, so a month without MRR shows as churn
            grid AS (
                SELECT f.company_id, f.client_id, m::date AS month
                  FROM (SELECT company_id, client_id, min(month) AS first_month
                          FROM monthly GROUP BY company_id, client_id) f
                  JOIN (SELECT company_id, max(month) AS last_month
                          FROM monthly GROUP BY company_id) l
                    ON l.company_id = f.company_id
                 CROSS JOIN LATERAL generate_series(
                       f.first_month, l.last_month, interval '1 month') m
            ),
            series AS (
                SELECT g.company_id, g.client_id, g.month,
                       coalesce(m.mrr, 0) AS mrr,
                       coalesce(lag(coalesce(m.mrr, 0)) OVER (
                           PARTITION BY g.company_id, g.client_id
                           ORDER BY g.month), 0) AS previous_mrr
                  FROM grid g
             LEFT JOIN monthly m
                    ON m.company_id = g.company_id
                   AND m.client_id = g.client_id
                   AND m.month = g.month
            ),
            classified AS (
                SELECT *, mrr - previous_mrr AS change_amount,
                       CASE WHEN previous_mrr = 0 THEN 'new'
                            WHEN mrr = 0 THEN 'churn'
                            WHEN mrr > previous_mrr THEN 'expansion'
                            WHEN mrr < previous_mrr THEN 'contraction'
                            ELSE 'flat' END AS movement
                  FROM series
                 WHERE mrr != 0 OR previous_mrr != 0
            )
            SELECT row_number() OVER (ORDER BY month, company_id, client_id) AS id,
                   month, client_id, company_id, movement, mrr, previous_mrr,
                   change_amount,
                   CASE WHEN movement = 'new' THEN change_amount ELSE 0 END
                       AS new_mrr,
                   CASE WHEN movement = 'expansion' THEN change_amount ELSE 0 END
                       AS expansion_mrr,
                   CASE WHEN movement = 'contraction' THEN change_amount ELSE 0 END
                       AS contraction_mrr,
                   CASE WHEN movement = 'churn' THEN change_amount ELSE 0 END
                       AS churn_mrr
              FROM classified
            )
            """,
                table=SQL.identifier(self._table),
                billed=BILLED_LINES,
            )
        )
