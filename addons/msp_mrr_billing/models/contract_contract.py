# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from dateutil.relativedelta import relativedelta
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.msp_assets.models.msp_asset_type import BILLING_CLASSES

BILLING = "msp_base.group_msp_billing"
QTY_SOURCES = [
    ("fixed", "Fixed quantity"),
    ("assets", "Asset count (billing class)"),
    ("licences", "Licence count (SKU)"),
    ("overage", "Hours overage"),
    ("block", "Prepaid block top-up"),
]


class ContractContract(models.Model):
    """The MSP terms of an agreement. Contracts with 'MSP billing' are
    invoiced by the billing run (msp.billing.run), not OCA's cron."""

    _inherit = "contract.contract"

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

    @api.constrains("msp_billing", "date_start")
    def _check_msp_billing_day(self):
        """Cycles anchor on the start day; days 29-31 drift in short months,
        so MSP-billed contracts start on the 1st to the 28th."""
        for contract in self.filtered("msp_billing"):
            if contract.date_start and contract.date_start.day > 28:
                raise ValidationError(
                    self.env._(
                        "%(contract)s starts on day %(day)s: MSP billing cycles "
                        "start on day 1 to 28 (so every month has the day). "
                        "Start it on the 28th or the 1st.",
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

    @api.depends("msp_block_ids.remaining_hours", "msp_block_ids.expiry_date")
    @api.depends_context("date")
    def _compute_msp_block_balance(self):
        for contract in self:
            contract.msp_block_balance = sum(
                contract.msp_block_ids.filtered("active_block").mapped(
                    "remaining_hours"
                )
            )

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
    _inherit = "contract.line"

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
