# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    def _msp_system_fields(self):
        # the billing run stamps entries (SQL); nobody stamps them by hand
        return super()._msp_system_fields() | {"msp_billing_line_ids"}

    # The stamp lives in a narrow table (entry, invoice line; one row per
    # entry, ever): a billing run stamps hundreds of thousands of entries,
    # and an INSERT there costs a fraction of an UPDATE of this wide,
    # heavily indexed table.
    msp_billing_line_ids = fields.Many2many(
        "account.move.line",
        "msp_billed_time",
        "entry_id",
        "invoice_line_id",
        string="Billing Stamp",
        readonly=True,
        copy=False,
        groups="account.group_account_readonly,msp_base.group_msp_billing",
    )
    msp_invoice_line_id = fields.Many2one(
        "account.move.line",
        string="Billed On",
        compute="_compute_msp_invoice_line_id",
        search="_search_msp_invoice_line_id",
        compute_sudo=True,
        help="The invoice line that billed this entry: an entry is billed once.",
    )

    msp_after_hours = fields.Boolean(
        string="After Hours",
        copy=False,
        help="Work outside the company's working hours (or on a public "
        "holiday). Billable (T&M) after-hours work is invoiced at the contract's "
        "after-hours multiplier. A timer started outside working hours ticks it; "
        "otherwise the technician does.",
    )

    def init(self):
        result = super().init()
        # billed at most once, ever: one stamp per entry
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS msp_billed_time_entry_once"
            " ON msp_billed_time (entry_id)"
        )
        return result

    @api.depends("msp_billing_line_ids")
    def _compute_msp_invoice_line_id(self):
        for entry in self:
            entry.msp_invoice_line_id = entry.msp_billing_line_ids[:1]

    def _search_msp_invoice_line_id(self, operator, value):
        # anyone may ask whether time is billed (the stamp itself is for
        # accounting and billing users)
        query = self.sudo()._search([("msp_billing_line_ids", operator, value)])
        return [("id", "in", query)]

    @api.model_create_multi
    def create(self, vals_list):
        """A timer started outside working hours (ours, or OCA's start and
        resume buttons) is after-hours work, unless told otherwise."""
        lines = super().create(vals_list)
        timers = self.browse(
            line.id
            for line, vals in zip(lines, vals_list, strict=True)
            if "msp_after_hours" not in vals and line.msp_timer_running
        )
        if timers:
            timers._msp_outside_working_hours().msp_after_hours = True
        return lines

    def _msp_outside_working_hours(self):
        """The entries whose start lies outside their company's working time
        (attendances, time zone, public holidays): one schedule (msp_sla's)
        per company calendar over the entries' span."""
        outside = self.browse()
        timed = self.filtered("date_time")
        Clock = self.env["msp.sla.clock"]
        for company in timed.company_id.filtered("resource_calendar_id"):
            entries = timed.filtered(lambda e, c=company: e.company_id == c)
            schedule = Clock._calendar_schedule(
                company.resource_calendar_id,
                min(entries.mapped("date_time")) - timedelta(days=1),
                max(entries.mapped("date_time")) + timedelta(days=1),
            )
            outside |= entries.filtered(
                lambda e, s=schedule: not s.is_working(e.date_time)
            )
        return outside

    @api.model
    def _msp_lock_exempt_fields(self):
        # the billing run stamps (and a void releases) invoiced time
        return super()._msp_lock_exempt_fields() | {"msp_billing_line_ids"}

    def _msp_lock_dates(self):
        """The company lock, or the end of the client's last billed cycle if
        later: billed time cannot change. One query for all the entries."""
        locks = super()._msp_lock_dates()
        keys = {
            (line.msp_client_id.id, (line.company_id or self.env.company).id)
            for line in self
            if line.msp_client_id
        }
        if not keys:
            return locks
        self.env["msp.billing.run.line"].flush_model(
            ["client_id", "company_id", "state", "period_end"]
        )
        clients, companies = zip(*keys, strict=True)
        self.env.cr.execute(
            SQL(
                """
                SELECT client_id, company_id, max(period_end)
                  FROM msp_billing_run_line
                 WHERE client_id = ANY(%s) AND company_id = ANY(%s)
                   AND state = 'invoiced'
              GROUP BY 1, 2
                """,
                list(set(clients)),
                list(set(companies)),
            )
        )
        billed = {
            (client, company): end for client, company, end in self.env.cr.fetchall()
        }
        for line in self:
            company = (line.company_id or self.env.company).id
            end = billed.get((line.msp_client_id.id, company))
            if end:
                locks[line.id] = max(filter(None, [locks[line.id], end]))
        return locks

    def _msp_contract(self):
        """The contract of the entry's ticket in force on the entry's date:
        the ticket's own link when it runs that day, else the client's
        contract of that day (a ticket opened before its client's contract
        started, or still open after it ended)."""
        self.ensure_one()
        ticket = self.ticket_id.sudo()
        if not ticket:
            return self.env["contract.contract"]
        day = self.date or fields.Date.context_today(self)
        return ticket._msp_contracts_on(day, keep_linked=True)[ticket.id]

    def _msp_billing_increment(self):
        """The client's contract terms first: those of the contract in force
        on the entry's date."""
        contract = self._msp_contract().sudo()
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
        contract = self._msp_contract()
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
