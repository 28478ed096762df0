# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL

from odoo.addons.msp_time.models.msp_work_type import WORK_KINDS

from .msp_mrr_report import CLIENT_DEPENDS, MSP_CLIENTS, TIME_DEPENDS, merge_depends

CLIENT_KINDS = [
    ("contract", "Contract client"),
    ("other", "Client without contract"),
    ("internal", "No client (internal)"),
]


class MspRealizationReport(models.Model):
    """Realization: the hours billed against the hours logged, per client,
    engineer, work kind and month (of the entry's date). Logged: the actual
    time of confirmed entries; billed: the billed time of entries an invoice
    line (of an invoice not cancelled) has billed. Grouped, the rate is the
    ratio of the sums."""

    _name = "msp.realization.report"
    _inherit = ["msp.billing.report.mixin"]
    _description = "Realization Rate"
    _auto = False
    _depends = merge_depends(TIME_DEPENDS, CLIENT_DEPENDS)
    _order = "month desc, client_id, employee_id"
    _msp_ratios = {"realization_rate": ("billed_hours", "logged_hours", 100.0)}
    _msp_xlsx_columns = [
        "month",
        "client_id",
        "employee_id",
        "work_kind",
        "logged_hours",
        "billed_hours",
        "realization_rate",
    ]

    month = fields.Date(readonly=True)
    client_id = fields.Many2one("res.partner", readonly=True)
    employee_id = fields.Many2one("hr.employee", string="Engineer", readonly=True)
    user_id = fields.Many2one("res.users", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    work_kind = fields.Selection(WORK_KINDS, readonly=True)
    client_kind = fields.Selection(
        CLIENT_KINDS,
        readonly=True,
        help="Contract client: has an MSP-billed contract (what the billing run "
        "bills). Client without contract: tickets only, its time is not billed "
        "by the run. No client: internal time.",
    )
    logged_hours = fields.Float(string="Logged (h)", readonly=True, aggregator="sum")
    billed_hours = fields.Float(string="Billed (h)", readonly=True, aggregator="sum")
    realization_rate = fields.Float(
        string="Realization (%)",
        readonly=True,
        aggregator="avg",
        help="Billed hours / logged hours (grouped: of the group's sums).",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %(table)s AS (
            SELECT row_number() OVER (
                       ORDER BY t.month, t.company_id, t.client_id, t.employee_id,
                                t.user_id, t.work_kind, t.client_kind) AS id,
                   t.*,
                   CASE WHEN t.logged_hours != 0
                        THEN 100.0 * t.billed_hours / t.logged_hours
                        ELSE 0 END AS realization_rate
              FROM (
                SELECT date_trunc('month', l.date)::date AS month,
                       l.company_id, l.msp_client_id AS client_id, l.employee_id,
                       l.user_id, l.msp_work_kind AS work_kind,
                       CASE WHEN l.msp_client_id IS NULL THEN 'internal'
                            WHEN EXISTS (
                                SELECT 1 FROM contract_contract c
                                 WHERE c.commercial_partner_id = l.msp_client_id
                                   AND c.msp_billing AND c.active)
                            THEN 'contract'
                            ELSE 'other' END AS client_kind,
                       sum(l.unit_amount) AS logged_hours,
                       sum(CASE WHEN bm.state != 'cancel'
                                THEN coalesce(l.msp_billed_hours, 0)
                                ELSE 0 END) AS billed_hours
                  FROM account_analytic_line l
             LEFT JOIN msp_billed_time bt ON bt.entry_id = l.id
             LEFT JOIN account_move_line bl ON bl.id = bt.invoice_line_id
             LEFT JOIN account_move bm ON bm.id = bl.move_id
                 WHERE l.project_id IS NOT NULL
                   AND l.msp_state = 'confirmed'
                   AND (l.msp_client_id IS NULL
                        OR l.msp_client_id IN (%(clients)s))
              GROUP BY 1, 2, 3, 4, 5, 6, 7
              ) t
            )
            """,
                table=SQL.identifier(self._table),
                clients=MSP_CLIENTS,
            )
        )
