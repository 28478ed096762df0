# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from dateutil.relativedelta import relativedelta
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class MspPrepaidBlock(models.Model):
    """Hours bought in advance on an invoice line: burnt oldest first by the
    billing run before any overage, until they expire."""

    _name = "msp.prepaid.block"
    _description = "Prepaid Block of Hours"
    _inherit = ["msp.system.fields.mixin", "msp.valid.values.mixin"]
    _order = "date, id"

    name = fields.Char(required=True)
    contract_id = fields.Many2one(
        "contract.contract", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    client_id = fields.Many2one(related="contract_id.commercial_partner_id", store=True)
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Bought On",
        index="btree_not_null",
        ondelete="set null",
        help="The invoice line that sold the block.",
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    expiry_date = fields.Date(required=True)
    rollover = fields.Boolean(help="Unused hours stay usable one more cycle.")
    hours = fields.Float(required=True)
    usage_ids = fields.One2many("msp.prepaid.block.usage", "block_id")
    used_hours = fields.Float(compute="_compute_balance", store=True)
    remaining_hours = fields.Float(compute="_compute_balance", store=True)
    active_block = fields.Boolean(
        compute="_compute_active_block", string="Usable", search="_search_active_block"
    )

    def _msp_system_fields(self):
        # the balance follows the usage rows the billing run writes
        return super()._msp_system_fields() | {"used_hours", "remaining_hours"}

    @api.constrains("hours", "date", "expiry_date")
    def _check_block(self):
        for block in self:
            if block.hours <= 0:
                raise ValidationError(
                    self.env._(
                        "%(block)s: a block holds a positive number of hours.",
                        block=block.name,
                    )
                )
            if block.expiry_date <= block.date:
                raise ValidationError(
                    self.env._(
                        "%(block)s: it must expire after it starts.", block=block.name
                    )
                )

    @api.depends("hours", "usage_ids.hours")
    def _compute_balance(self):
        for block in self:
            block.used_hours = sum(block.usage_ids.mapped("hours"))
            block.remaining_hours = block.hours - block.used_hours

    def _usable_on(self):
        """The day usability is judged on: today, or the billing date the
        run passes (context key msp_block_date)."""
        day = self.env.context.get("msp_block_date")
        return fields.Date.to_date(day) if day else fields.Date.context_today(self)

    @api.depends("date", "expiry_date", "remaining_hours")
    @api.depends_context("msp_block_date")
    def _compute_active_block(self):
        day = self._usable_on()
        for block in self:
            block.active_block = (
                block.remaining_hours > 0 and block.date <= day <= block.expiry_date
            )

    def _search_active_block(self, operator, value):
        day = self._usable_on()
        domain = [
            ("remaining_hours", ">", 0),
            ("date", "<=", day),
            ("expiry_date", ">=", day),
        ]
        positive = (operator == "=") == bool(value)
        return domain if positive else ["!", "&", *domain]

    @api.model
    def _buy(self, move_line):
        """The billing run invoiced a top-up line: the blocks it sold."""
        contract_line = move_line.contract_line_id
        hours = contract_line.msp_block_hours * move_line.quantity
        if hours <= 0:
            return self.browse()
        start = move_line.msp_period_start or fields.Date.context_today(self)
        return self.create(
            {
                "name": move_line.name.split("\n")[0],
                "contract_id": contract_line.contract_id.id,
                "move_line_id": move_line.id,
                "date": start,
                "expiry_date": start
                + relativedelta(months=contract_line.msp_block_validity_months or 12)
                - relativedelta(days=1),
                "rollover": contract_line.msp_block_rollover,
                "hours": hours,
            }
        )

    def _burn(self, hours, run_line):
        self.ensure_one()
        return self.env["msp.prepaid.block.usage"].create(
            {
                "block_id": self.id,
                "run_line_id": run_line.id,
                "hours": hours,
                "date": run_line.period_end,
            }
        )


class MspPrepaidBlockUsage(models.Model):
    """A movement on a block: hours a billing run burnt."""

    _name = "msp.prepaid.block.usage"
    _description = "Prepaid Block Usage"
    _order = "date, id"

    block_id = fields.Many2one(
        "msp.prepaid.block", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="block_id.company_id", store=True)
    run_line_id = fields.Many2one(
        "msp.billing.run.line", index=True, ondelete="cascade", string="Billing Run"
    )
    date = fields.Date(required=True)
    hours = fields.Float(required=True)
