# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

WORK_KINDS = [
    ("included", "Included managed service"),
    ("billable", "Billable (out of scope / T&M)"),
    ("project", "Project delivery"),
    ("warranty", "Warranty / rework"),
    ("internal", "Internal non-billable"),
]

# sale_timesheet's timesheet_invoice_type values (not a dependency: kept as
# plain selection values; see readme).
SALE_INVOICE_TYPES = [
    ("billable_time", "Billed on Timesheets"),
    ("billable_fixed", "Billed at a Fixed price"),
    ("billable_milestones", "Billed on Milestones"),
    ("billable_manual", "Billed Manually"),
    ("non_billable", "Non-Billable"),
]


class MspWorkType(models.Model):
    """What a time entry means for billing. Billing reads ``kind``."""

    _name = "msp.work.type"
    _description = "Work Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    kind = fields.Selection(WORK_KINDS, required=True, default="included")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    company_id = fields.Many2one(
        "res.company", help="Empty: shared by every company of the database."
    )
    sale_invoice_type = fields.Selection(
        SALE_INVOICE_TYPES,
        string="Odoo Invoicing Notion",
        help="What this work type means in sale_timesheet's terms (its "
        "'timesheet_invoice_type'), for reports and for installs that invoice "
        "through sales orders. Informational: msp_time does not depend on "
        "sale_timesheet and does not override its computation.",
    )


class MspTimeCategory(models.Model):
    """Management categories for time (what the time was spent on)."""

    _name = "msp.time.category"
    _description = "Time Category"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Empty: shared by every company of the database."
    )
