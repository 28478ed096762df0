# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from dateutil.relativedelta import relativedelta
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from odoo.addons.msp_assets.models.msp_asset_type import BILLING_CLASSES
from odoo.addons.msp_base.models.msp_system_fields import system_write

from .billing_cycle import (
    ANCHORED_RULES,
    anchored_period_end,
    cycle_months,
    first_anchor,
    proration,
)

BILLING = "msp_base.group_msp_billing"
QTY_SOURCES = [
    ("fixed", "Fixed quantity"),
    ("assets", "Asset count (billing class)"),
    ("licences", "Licence count (SKU)"),
    ("overage", "Hours overage"),
    ("block", "Prepaid block top-up"),
]


# Rates, hours, multipliers and increments of the MSP terms.
NON_NEGATIVE = (
    "msp_included_hours",
    "msp_retainer_min_hours",
    "msp_retainer_max_hours",
    "msp_retainer_over_cycles",
    "msp_tm_rate",
    "msp_billing_increment_minutes",
    "msp_minimum_charge_minutes",
    "msp_after_hours_multiplier",
    "msp_block_low_hours",
    "msp_block_overage_rate",
)


class ContractContract(models.Model):
    """The MSP terms of an agreement. Contracts with 'MSP billing' are
    invoiced by the billing run (msp.billing.run), not OCA's cron."""

    _name = "contract.contract"
    _inherit = ["contract.contract", "msp.valid.values.mixin"]

    msp_billing = fields.Boolean(
        string="MSP Billing Run",
        help="Invoiced by the MSP billing run (units, hours, blocks, variance "
        "review) instead of the contract's own recurring invoicing.",
    )
    msp_included_hours = fields.Float(
        string="Included Hours per Cycle",
        groups=BILLING,
        help="Included managed-service hours; the excess is overage.",
    )
    msp_retainer_min_hours = fields.Float(string="Retainer Range From", groups=BILLING)
    msp_retainer_max_hours = fields.Float(string="Retainer Range To", groups=BILLING)
    msp_retainer_over_cycles = fields.Integer(
        string="Cycles Over Range",
        readonly=True,
        groups=BILLING,
        help="Consecutive billed cycles whose included-work hours exceeded the "
        "retainer range.",
    )
    msp_tm_product_id = fields.Many2one(
        "product.product", string="T&M Product", groups=BILLING
    )
    msp_tm_rate = fields.Float(
        string="T&M Hourly Rate", groups=BILLING, digits="Product Price"
    )
    msp_excluded_category_ids = fields.Many2many(
        "helpdesk.ticket.category",
        "msp_contract_excluded_category_rel",
        "contract_id",
        "category_id",
        string="Not Counted Against Included Hours",
        groups=BILLING,
        help="Included work on tickets of these categories (e.g. warranty "
        "claims) never uses included hours nor makes overage.",
    )
    msp_hypercare_end = fields.Date(
        string="Hypercare Until",
        groups=BILLING,
        help="Included work up to this day (the onboarding project's hypercare) "
        "does not use included hours nor make overage.",
    )
    msp_billing_increment_minutes = fields.Integer(
        string="Billing Increment (min)",
        groups=BILLING,
        help="Time entries of this client round up to it (0: client or company).",
    )
    msp_minimum_charge_minutes = fields.Integer(
        string="Minimum Charge (min)", groups=BILLING
    )
    msp_after_hours_multiplier = fields.Float(
        string="After-hours Multiplier", default=1.5, groups=BILLING
    )
    msp_renewal_date = fields.Date(string="Renewal Date", tracking=True)
    msp_billing_day = fields.Integer(
        string="Billing Day",
        groups=BILLING,
        help="Day of the month (1 to 28) the billing cycles start on; 0: on the "
        "contract's start day. A contract starting on another day has a first, "
        "shorter cycle up to that day, prorated (monthly, quarterly, semesterly "
        "or yearly recurrence).",
    )
    msp_proration = fields.Selection(
        [("none", "None"), ("daily", "Daily")],
        string="Unit Proration",
        default="none",
        required=True,
        groups=BILLING,
        help="Daily: units added or removed mid-cycle are billed for the days "
        "they existed (from daily snapshots).",
    )
    msp_block_low_hours = fields.Float(
        string="Low Block Balance (h)",
        groups=BILLING,
        help="Below this many prepaid hours left, the account manager gets an "
        "activity.",
    )
    msp_block_overage_rate = fields.Float(
        string="Rate Once Blocks Run Out",
        groups=BILLING,
        digits="Product Price",
        help="Hourly price of the overage of a contract with prepaid blocks "
        "once they are used up (0: the overage line's own price).",
    )
    msp_block_ids = fields.One2many(
        "msp.prepaid.block", "contract_id", string="Prepaid Blocks", groups=BILLING
    )
    msp_block_balance = fields.Float(
        string="Prepaid Hours Left",
        compute="_compute_msp_block_balance",
        groups=BILLING,
    )
    msp_run_line_ids = fields.One2many(
        "msp.billing.run.line", "contract_id", string="Billing Runs", groups=BILLING
    )

    @api.constrains(
        "recurring_interval",
        "date_start",
        "date_end",
        "msp_retainer_min_hours",
        "msp_retainer_max_hours",
        *NON_NEGATIVE,
    )
    def _check_msp_terms(self):
        """Terms that cannot bill: refused with what is wrong."""
        for contract in self.sudo():
            problems = []
            if contract.recurring_interval < 1:
                problems.append(self.env._("it must recur at least every 1 period"))
            if contract.date_end and contract.date_end < contract.date_start:
                problems.append(self.env._("it cannot end before it starts"))
            if (
                contract.msp_retainer_max_hours
                and contract.msp_retainer_min_hours > contract.msp_retainer_max_hours
            ):
                problems.append(
                    self.env._("the retainer's lower bound is above its upper one")
                )
            problems += [
                self.env._(
                    "%(field)s cannot be negative", field=self._fields[name].string
                )
                for name in NON_NEGATIVE
                if contract[name] < 0
            ]
            if problems:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s: %(problems)s.",
                        contract=contract.display_name,
                        problems="; ".join(problems),
                    )
                )

    @api.constrains(
        "msp_billing", "date_start", "msp_billing_day", "recurring_rule_type"
    )
    def _check_msp_billing_day(self):
        """Cycles anchor on the billing day, or on the start day without one;
        days 29-31 drift in short months, so the anchor is day 1 to 28."""
        for contract in self.sudo():
            day = contract.msp_billing_day
            if not 0 <= day <= 28:
                raise ValidationError(
                    self.env._(
                        "%(contract)s: the billing day is %(day)s; it must be "
                        "1 to 28 (so every month has it), or 0 for the "
                        "contract's start day.",
                        contract=contract.display_name,
                        day=day,
                    )
                )
            if not contract.msp_billing:
                continue
            if day and contract.recurring_rule_type not in ANCHORED_RULES:
                raise ValidationError(
                    self.env._(
                        "%(contract)s: a billing day needs a monthly, quarterly, "
                        "semesterly or yearly recurrence.",
                        contract=contract.display_name,
                    )
                )
            if not day and contract.date_start and contract.date_start.day > 28:
                raise ValidationError(
                    self.env._(
                        "%(contract)s starts on day %(day)s: MSP billing cycles "
                        "start on day 1 to 28 (so every month has the day). "
                        "Start it on the 28th or the 1st, or set a billing day.",
                        contract=contract.display_name,
                        day=contract.date_start.day,
                    )
                )

    @api.constrains("msp_billing", "recurring_invoicing_type")
    def _check_msp_post_paid(self):
        """The run bills a cycle once it is over (units at its end, the hours
        worked in it); billing ahead would lock the current month's time."""
        for contract in self.filtered("msp_billing"):
            if contract.recurring_invoicing_type != "post-paid":
                raise ValidationError(
                    self.env._(
                        "%(contract)s: MSP billing invoices each cycle after it "
                        "ends; set its invoicing type to post-paid.",
                        contract=contract.display_name,
                    )
                )

    @api.depends(
        "msp_block_ids.remaining_hours",
        "msp_block_ids.date",
        "msp_block_ids.expiry_date",
    )
    @api.depends_context("msp_block_date")
    def _compute_msp_block_balance(self):
        for contract in self:
            contract.msp_block_balance = sum(
                contract.msp_block_ids.filtered("active_block").mapped(
                    "remaining_hours"
                )
            )

    # -- cycles ------------------------------------------------------------
    @api.depends("msp_billing", "msp_billing_day")
    def _compute_recurring_next_date(self):
        """OCA takes the earliest next date of the lines (anchored, see
        ContractLine); without dated lines, or when the start date changes
        in a form, it computes the header's own: anchor that one too."""
        res = super()._compute_recurring_next_date()
        for contract in self:
            cycle = contract._msp_cycle(
                contract.date_start,
                contract.recurring_rule_type,
                contract.recurring_interval,
                explicit_only=True,
            )
            if not cycle or contract.recurring_invoicing_type != "post-paid":
                continue
            dated = contract.contract_line_ids.filtered(
                lambda line: (
                    line.recurring_next_date
                    and not line.is_canceled
                    and (not line.display_type or line.is_recurring_note)
                )
            )
            moved = contract._origin and contract._origin.date_start != (
                contract.date_start
            )
            if dated and not moved:
                continue
            contract.recurring_next_date = self._msp_next_invoice_date(
                contract.next_period_date_start,
                contract.date_end,
                contract.recurring_invoicing_offset,
                *cycle,
            )
        return res

    def _msp_cycle(self, date_start, rule_type, interval, explicit_only=False):
        """``(first anchor, months per cycle)`` of MSP cycles under this
        contract's terms, for a recurrence starting on ``date_start``: the
        billing day if set (from the contract's start), else the start day
        itself (the 1st for OCA's month-end rule). None when the cycles are
        not month-based, or with ``explicit_only`` when no billing day is
        set (OCA's own recurrence then applies unchanged)."""
        self.ensure_one()
        contract = self.sudo()
        months = cycle_months(rule_type, interval)
        if not (contract.msp_billing and months and date_start):
            return None
        day = contract.msp_billing_day
        if day and rule_type in ANCHORED_RULES:
            return first_anchor(contract.date_start or date_start, day), months
        if explicit_only:
            return None
        if rule_type == "monthlylastday":
            return first_anchor(date_start, 1), months
        return date_start, months

    @api.model
    def _msp_next_invoice_date(self, period_start, date_end, offset, anchor, months):
        """Post-paid: the day after the period, which ends the day before
        the next anchor (or on the contract's end date). OCA's forced-date
        rule gives back that period end: next date - offset (a line's own
        end date then cuts it)."""
        if not period_start or (date_end and period_start > date_end):
            return False
        end = anchored_period_end(period_start, anchor, months, date_end)
        return end + relativedelta(days=offset)

    def _msp_proration(self, period_start, period_end):
        """``(days billed, days of the full cycle)`` of a contract period."""
        self.ensure_one()
        cycle = self._msp_cycle(
            self.date_start, self.recurring_rule_type, self.recurring_interval
        )
        if not cycle:
            days = (period_end - period_start).days + 1
            return days, days
        return proration(period_start, period_end, *cycle)

    @api.model
    def _get_contracts_to_invoice_domain(self, date_ref=None):
        # MSP-billed contracts go through the billing run only
        return [
            *super()._get_contracts_to_invoice_domain(date_ref),
            ("msp_billing", "=", False),
        ]

    def recurring_create_invoice(self):
        msp = self.filtered("msp_billing")
        if msp:
            run = self.env["msp.billing.run"].create(
                {
                    "billing_date": fields.Date.context_today(self),
                    "company_id": msp[0].company_id.id,
                }
            )
            # the run records its results as the system (see action_run)
            with system_write():
                run._bill(msp)
            return run._open()
        return super().recurring_create_invoice()

    def _msp_open_period_start(self):
        """Where a line added now starts: the first day not invoiced yet."""
        self.ensure_one()
        invoiced = [d for d in self.contract_line_ids.mapped("last_date_invoiced") if d]
        if invoiced:
            return max(invoiced) + relativedelta(days=1)
        return self.date_start


class ContractLine(models.Model):
    _name = "contract.line"
    _inherit = ["contract.line", "msp.valid.values.mixin"]

    msp_qty_source = fields.Selection(
        QTY_SOURCES,
        string="Quantity From",
        default="fixed",
        required=True,
        help="Where the billing run takes this line's quantity.",
    )
    msp_billing_class = fields.Selection(BILLING_CLASSES, string="Asset Class")
    msp_sku_part_number = fields.Char(string="Licence SKU")
    msp_block_hours = fields.Float(
        string="Block Hours", help="Hours one unit of this top-up line buys."
    )
    msp_block_validity_months = fields.Integer(
        string="Block Valid (months)", default=12
    )
    msp_block_rollover = fields.Boolean(
        string="Block Rollover", help="Unused hours stay usable one more cycle."
    )
    msp_qty_now = fields.Float(
        string="Counted Now",
        compute="_compute_msp_qty_now",
        digits="Product Unit of Measure",
        help="Assets or licences of the client counted right now (active, not "
        "stale): what the line bills if nothing changes before the cycle ends "
        "(the run counts on the cycle's last day).",
    )
    msp_qty_label = fields.Char(
        string="Bills (Now)",
        compute="_compute_msp_qty_now",
        help="The quantity the billing run will use: the count for asset and "
        "licence lines, the overage at the cycle's end, the line's quantity "
        "otherwise.",
    )
    msp_amount_now = fields.Monetary(
        string="Amount Now",
        compute="_compute_msp_qty_now",
        currency_field="currency_id",
        help="Counted now x unit price (before discount and proration).",
    )

    @api.depends(
        "msp_qty_source",
        "msp_billing_class",
        "msp_sku_part_number",
        "quantity",
        "price_unit",
        "contract_id.partner_id",
    )
    def _compute_msp_qty_now(self):
        """One query for all the lines' clients."""
        counted = self._msp_counts_now()
        for line in self:
            client = line.contract_id.partner_id.commercial_partner_id.id
            company = line.contract_id.company_id.id
            source = line.msp_qty_source
            if source == "assets" and line.msp_billing_class:
                qty = sum(
                    n
                    for (c, co, cls, _sku), n in counted.items()
                    if (c, co, cls) == (client, company, line.msp_billing_class)
                )
                label = f"{qty:g}"
            elif source == "licences" and line.msp_sku_part_number:
                qty = counted.get(
                    (client, company, "user_license", line.msp_sku_part_number), 0
                )
                label = f"{qty:g}"
            elif source == "overage":
                qty = 0.0
                label = self.env._("at cycle end")
            else:
                qty = line.quantity
                label = f"{qty:g}"
            line.msp_qty_now = qty
            line.msp_qty_label = label
            line.msp_amount_now = qty * line.price_unit

    def _msp_counts_now(self):
        """{(client, company, class, sku): counted assets} of the lines'
        clients (active, not stale: what a snapshot counts)."""
        lines = self.filtered(
            lambda line: line.msp_qty_source in ("assets", "licences")
        )
        clients = lines.contract_id.partner_id.commercial_partner_id
        if not clients:
            return {}
        Snapshot = self.env["msp.asset.snapshot"]
        self.env["msp.asset"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT a.client_id, a.company_id, a.cls, a.sku, count(*)
                  FROM (%(now)s) a
                 WHERE a.status = 'counted' AND a.client_id = ANY(%(clients)s)
              GROUP BY 1, 2, 3, 4
                """,
                now=Snapshot._as_now(),
                clients=clients.ids,
            )
        )
        return {
            (client, company, cls, sku): n
            for client, company, cls, sku, n in self.env.cr.fetchall()
        }

    @api.model_create_multi
    def create(self, vals_list):
        # OCA pitfall: lines created in code do not take the header's start
        # and invoicing type; give them the contract's.
        contracts = self.env["contract.contract"].browse(
            [v["contract_id"] for v in vals_list if v.get("contract_id")]
        )
        by_id = {c.id: c for c in contracts}
        for vals in vals_list:
            contract = by_id.get(vals.get("contract_id"))
            if contract and contract.msp_billing:
                vals.setdefault("date_start", contract._msp_open_period_start())
                vals.setdefault(
                    "recurring_invoicing_type", contract.recurring_invoicing_type
                )
                vals.setdefault("recurring_rule_type", contract.recurring_rule_type)
                vals.setdefault("recurring_interval", contract.recurring_interval)
        return super().create(vals_list)

    @api.depends(
        "contract_id.msp_billing",
        "contract_id.msp_billing_day",
        "contract_id.date_start",
        "contract_id.date_end",
    )
    def _compute_recurring_next_date(self):
        """With a billing day, a post-paid period ends the day before the
        next anchor and is invoiced on the anchor: OCA's forced-date rule
        (period end = next date - offset, at most the line's end date) then
        ends it there. A first period from a start off the anchor is a
        partial cycle, the next ones run anchor to anchor; each next date is
        recomputed from the day after the last one invoiced, so voiding a
        period keeps the anchor.

        Each line keeps its own date, even without line recurrence (where
        OCA copies the header's back, which can be stale here: the header
        is computed from these lines). They agree but for a line ending
        early, still invoiced on the anchor with the others (its period
        stops at its end date), or starting later, first invoiced on the
        anchor after its start; when the whole contract ends mid-cycle,
        its last invoice is due the day after the end."""
        dates = {}
        for line in self:
            next_date = line._msp_anchored_next_date()
            if next_date:
                dates[line] = next_date
        anchored = self.filtered(lambda line: line in dates)
        res = super(ContractLine, self - anchored)._compute_recurring_next_date()
        for line, next_date in dates.items():
            line.recurring_next_date = next_date
        return res

    def _msp_anchored_next_date(self):
        """The line's next date on its contract's billing day; False
        without a billing day (or after the end: OCA's rules apply)."""
        self.ensure_one()
        contract = self.contract_id
        if self.recurring_invoicing_type != "post-paid" or not contract:
            return False
        cycle = contract._msp_cycle(
            self.date_start,
            self.recurring_rule_type,
            self.recurring_interval,
            explicit_only=True,
        )
        if not cycle:
            return False
        return contract._msp_next_invoice_date(
            self.next_period_date_start,
            contract.date_end,
            self.recurring_invoicing_offset,
            *cycle,
        )

    def _msp_proration(self):
        """``(days billed, days of the full cycle)`` of the line's next
        period (partial: the first one up to the billing day, or the last
        one cut by the end date)."""
        self.ensure_one()
        start, end = self.next_period_date_start, self.next_period_date_end
        cycle = self.contract_id._msp_cycle(
            self.date_start, self.recurring_rule_type, self.recurring_interval
        )
        if not cycle:
            days = (end - start).days + 1
            return days, days
        return proration(start, end, *cycle)

    @api.constrains("msp_block_hours", "msp_block_validity_months")
    def _check_msp_block_terms(self):
        for line in self:
            if line.msp_block_hours < 0 or line.msp_block_validity_months < 0:
                raise ValidationError(
                    self.env._(
                        "%(line)s: block hours and validity cannot be negative.",
                        line=line.display_name,
                    )
                )

    @api.constrains("msp_qty_source", "msp_billing_class", "msp_sku_part_number")
    def _check_msp_source(self):
        for line in self:
            if line.msp_qty_source == "assets" and not line.msp_billing_class:
                raise ValidationError(
                    self.env._(
                        "%(line)s counts assets: choose the asset class.",
                        line=line.name,
                    )
                )
            if line.msp_qty_source == "licences" and not line.msp_sku_part_number:
                raise ValidationError(
                    self.env._(
                        "%(line)s counts licences: give the SKU.", line=line.name
                    )
                )

    def _get_quantity_to_invoice(
        self, period_first_date, period_last_date, invoice_date
    ):
        facts = self.env.context.get("msp_billing_facts")
        if not facts or self.display_type or self.msp_qty_source == "fixed":
            return super()._get_quantity_to_invoice(
                period_first_date, period_last_date, invoice_date
            )
        return facts.quantity(self)
