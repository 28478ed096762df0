# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Which time entries may follow a ticket into a project."""

from odoo import models


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

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
