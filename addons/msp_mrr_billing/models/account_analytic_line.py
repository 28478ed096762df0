# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import SQL


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    msp_invoice_line_id = fields.Many2one(
        "account.move.line",
        string="Billed On",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The invoice line that billed this entry: an entry is billed once.",
    )

    @api.model
    def _msp_lock_exempt_fields(self):
        # the billing run stamps (and a void releases) invoiced time
        return super()._msp_lock_exempt_fields() | {"msp_invoice_line_id"}

    def _msp_lock_date(self):
        """The company lock, or the end of the client's last billed cycle if
        later: billed time cannot change."""
        lock = super()._msp_lock_date()
        client = self.msp_client_id
        if not client:
            return lock
        self.env.cr.execute(
            SQL(
                "SELECT max(period_end) FROM msp_billing_run_line"
                " WHERE client_id = %s AND company_id = %s AND state = 'invoiced'",
                client.id,
                (self.company_id or self.env.company).id,
            )
        )
        billed = self.env.cr.fetchone()[0]
        return max(filter(None, [lock, billed]), default=False)

    def _msp_billing_increment(self):
        """The client's contract terms first."""
        contract = self.ticket_id.msp_contract_id.sudo()
        if contract.msp_billing and contract.msp_billing_increment_minutes:
            return (
                contract.msp_billing_increment_minutes,
                contract.msp_minimum_charge_minutes,
            )
        return super()._msp_billing_increment()

    def _msp_default_work_type(self):
        """A ticket of a client under an MSP contract is included work unless
        its category, project or the person says otherwise."""
        work_type, reason = super()._msp_default_work_type()
        contract = self.ticket_id.msp_contract_id
        company = self.company_id or self.env.company
        if contract.msp_billing and work_type in (
            self.env["msp.work.type"],
            company.msp_work_type_id,
        ):
            included = self.env.ref("msp_time.work_type_included", False)
            if included:
                return included, self.env._(
                    "Contract %(contract)s", contract=contract.display_name
                )
        return work_type, reason


class MspAssetSnapshot(models.Model):
    _inherit = "msp.asset.snapshot"

    @api.model
    def _due_clients(self, date):
        """Month end for everyone, plus the clients of MSP contracts whose
        cycle ends on this date (daily for contracts that prorate units)."""
        clients = super()._due_clients(date)
        contracts = (
            self.env["contract.contract"]
            .sudo()
            .search([("msp_billing", "=", True), ("active", "=", True)])
        )
        for contract in contracts:
            if contract.msp_proration == "daily" or (
                contract.next_period_date_end == date
            ):
                clients |= contract.partner_id.commercial_partner_id
        return clients
