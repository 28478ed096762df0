# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.tools import SQL


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"  # pylint: disable=consider-merging-classes-inherited

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
