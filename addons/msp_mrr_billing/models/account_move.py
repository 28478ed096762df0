# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import format_date

from odoo.addons.msp_base.models.msp_system_fields import system_write


class AccountMove(models.Model):
    _inherit = "account.move"

    msp_period_label = fields.Char(
        string="Billing Period",
        compute="_compute_msp_period_label",
        help="The contract cycle a billing-run invoice bills (two cycles "
        "billed by one run share the invoice date).",
    )

    @api.depends("invoice_line_ids.msp_period_start", "invoice_line_ids.msp_period_end")
    def _compute_msp_period_label(self):
        for move in self:
            lines = move.invoice_line_ids.filtered("msp_run_line_id")
            starts = [d for d in lines.mapped("msp_period_start") if d]
            ends = [d for d in lines.mapped("msp_period_end") if d]
            move.msp_period_label = (
                f"{format_date(self.env, min(starts))} - "
                f"{format_date(self.env, max(ends))}"
                if starts and ends
                else False
            )

    def button_cancel(self):
        """An invoice of the billing run cancelled by hand releases its
        period and its time, as 'Void and re-bill' does (without re-billing)."""
        result = super().button_cancel()
        with system_write():
            self._msp_release_run_lines()
        return result

    def unlink(self):
        with system_write():
            self._msp_release_run_lines()
        return super().unlink()

    def _msp_release_run_lines(self):
        """Only a contract's latest billed period is released; an older
        invoice cancelled by hand keeps its period (its time shows as
        unbilled in the WIP report; correct it with a credit note)."""
        lines = (
            self.env["msp.billing.run.line"]
            .sudo()
            .search([("move_id", "in", self.ids), ("state", "=", "invoiced")])
        )
        for line in lines.filtered(lambda line: line._is_latest()):
            line._release()


class AccountMoveLine(models.Model):
    _name = "account.move.line"
    _inherit = ["account.move.line", "msp.system.fields.mixin"]

    def _msp_system_fields(self):
        # which run billed the line and which time it consumed
        return super()._msp_system_fields() | {"msp_run_line_id", "msp_time_entry_ids"}

    msp_period_start = fields.Date(string="Period Start", copy=False)
    msp_period_end = fields.Date(string="Period End", copy=False)
    msp_proration_factor = fields.Float(
        string="Proration",
        copy=False,
        digits=(16, 6),
        help="Share of a full cycle this line bills (days billed / days of the "
        "cycle) when its period is partial; empty for a full cycle. The MRR "
        "report counts the line at its full-cycle amount.",
    )
    msp_run_line_id = fields.Many2one(
        "msp.billing.run.line",
        string="Billing Run Contract",
        index="btree_not_null",
        copy=False,
        ondelete="set null",
    )
    msp_ticket_id = fields.Many2one(
        "helpdesk.ticket", string="Ticket", index="btree_not_null", copy=False
    )
    msp_after_hours = fields.Boolean(
        string="After-hours Work",
        copy=False,
        help="T&M work billed at the contract's after-hours multiplier.",
    )
    msp_time_entry_ids = fields.Many2many(
        "account.analytic.line",
        "msp_billed_time",
        "invoice_line_id",
        "entry_id",
        string="Billed Time",
        readonly=True,
        copy=False,
        groups="account.group_account_readonly,msp_base.group_msp_billing",
    )

    def action_msp_show_sources(self, all_lines=None):
        """Where a billed quantity came from: the time entries stamped with
        the line, or the asset snapshot rows of the client for the period."""
        lines = all_lines or self
        entries = lines.msp_time_entry_ids
        if entries:
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Billed time"),
                "res_model": "account.analytic.line",
                "view_mode": "list,form",
                "domain": [("id", "in", entries.ids)],
            }
        line = lines[:1]
        client = line.move_id.partner_id.commercial_partner_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Asset counts"),
            "res_model": "msp.asset.snapshot",
            "view_mode": "list",
            "domain": [
                ("client_id", "=", client.id),
                ("date", "<=", line.msp_period_end or fields.Date.today()),
            ],
        }
