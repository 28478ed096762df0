# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Billing runs got a number (BR/2026/0007): runs made before it get one,
oldest first, so no two runs share a name."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    Sequence = env["ir.sequence"]
    runs = env["msp.billing.run"].search([("reference", "=", False)], order="id")
    for run in runs:
        run.reference = (
            Sequence.with_company(run.company_id)
            .with_context(ir_sequence_date=run.billing_date)
            .next_by_code("msp.billing.run", sequence_date=run.billing_date)
        )
