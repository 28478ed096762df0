# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import SQL


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    msp_change_order_unapproved = fields.Boolean(
        string="Unapproved Change Order",
        compute="_compute_msp_change_order_unapproved",
        store=True,
        help="Logged on a task of a change order the client has not "
        "approved (yet): the project manager is told.",
    )

    @api.depends("task_id.msp_change_order_id.state")
    def _compute_msp_change_order_unapproved(self):
        for line in self:
            order = line.task_id.msp_change_order_id
            line.msp_change_order_unapproved = bool(order and order.state != "approved")

    def _msp_flag_change_orders(self):
        orders = self.filtered("msp_change_order_unapproved").task_id.sudo()
        orders.msp_change_order_id._msp_flag_unapproved_time()

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._msp_flag_change_orders()
        return lines

    def write(self, vals):
        result = super().write(vals)
        if vals.get("task_id"):
            self._msp_flag_change_orders()
        return result

    def _msp_convert_stay_reasons(self):
        """{entry id: why it cannot move to another project} for the
        entries of ``self`` that must stay where they are: invoiced time
        (msp_mrr_billing's stamp) and locked time (msp_time's period lock,
        the client's last billed cycle). In a few queries for all the
        entries. Extend with super() (e.g. other billing stamps)."""
        reasons = {}
        if not self:
            return reasons
        invoiced = self.sudo().search(
            [("id", "in", self.ids), ("msp_invoice_line_id", "!=", False)]
        )
        for line in invoiced:
            reasons[line.id] = self.env._(
                "invoiced on %(invoice)s",
                invoice=line.msp_invoice_line_id.move_id.name or "/",
            )
        locks = self._msp_lock_dates()
        for line in self:
            lock = locks.get(line.id)
            if line.id not in reasons and line.date and lock and line.date <= lock:
                reasons[line.id] = self.env._(
                    "locked (time up to %(date)s is closed)", date=lock
                )
        return reasons

    def _msp_lock_dates(self):
        """Time billed by a project invoice (not cancelled) is frozen from
        then on, whatever its date: its lock is at least its own date. One
        query for all the entries."""
        locks = super()._msp_lock_dates()
        ids = [line.id for line in self if isinstance(line.id, int) and line.date]
        if not ids:
            return locks
        self.flush_model(["msp_billing_line_ids"])
        self.env["account.move.line"].flush_model(
            ["msp_project_bill_kind", "parent_state"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT b.entry_id
                  FROM msp_billed_time b
                  JOIN account_move_line ml ON ml.id = b.invoice_line_id
                 WHERE b.entry_id = ANY(%s)
                   AND ml.msp_project_bill_kind IS NOT NULL
                   AND ml.parent_state != 'cancel'
                """,
                ids,
            )
        )
        billed = {row[0] for row in self.env.cr.fetchall()}
        for line in self:
            if line.id in billed:
                locks[line.id] = max(filter(None, [locks.get(line.id), line.date]))
        return locks
