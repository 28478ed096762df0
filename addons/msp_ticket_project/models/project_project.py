# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

PROJECT_STATES = [
    ("proposed", "Proposed"),
    ("in_flight", "In Flight"),
    ("hypercare", "Hypercare"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]

BILLING_TYPES = [
    ("fixed", "Fixed Fee"),
    ("tm", "Time & Materials"),
    ("milestone", "Milestones"),
]


class ProjectProject(models.Model):
    _inherit = "project.project"

    msp_state = fields.Selection(
        PROJECT_STATES,
        string="Delivery State",
        tracking=True,
        index="btree_not_null",
        copy=False,
        help="Client projects start Proposed; they go In Flight only once "
        "the kickoff gate is complete. Empty on internal projects (a team's "
        "service-desk project).",
    )
    msp_billing_type = fields.Selection(
        BILLING_TYPES,
        string="Billing",
        default="tm",
        tracking=True,
        help="Fixed fee: one price (change orders add billable lines). "
        "Time & materials: project hours at the project rate. Milestones: "
        "each phase's amount when it is reached.",
    )
    msp_fixed_price = fields.Monetary(
        string="Fixed Price", currency_field="currency_id", tracking=True
    )
    msp_hourly_rate = fields.Monetary(
        string="Hourly Rate",
        currency_field="currency_id",
        tracking=True,
        help="Time & materials rate, and the rate change orders are priced at.",
    )
    msp_origin_ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="Origin Ticket",
        index="btree_not_null",
        copy=False,
        ondelete="set null",
        help="The ticket this project was converted from.",
    )
