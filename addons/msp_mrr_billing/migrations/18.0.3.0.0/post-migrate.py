# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Billing stamps moved from a column of account_analytic_line to the
narrow msp_billed_time table: copy them over, then drop the column."""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    cr.execute(
        """
        SELECT 1 FROM information_schema.columns
         WHERE table_schema = current_schema()
           AND table_name = 'account_analytic_line'
           AND column_name = 'msp_invoice_line_id'
        """
    )
    if not cr.fetchone():
        return
    cr.execute(
        """
        INSERT INTO msp_billed_time (entry_id, invoice_line_id)
        SELECT l.id, l.msp_invoice_line_id
          FROM account_analytic_line l
          JOIN account_move_line ml ON ml.id = l.msp_invoice_line_id
         WHERE l.msp_invoice_line_id IS NOT NULL
        ON CONFLICT DO NOTHING
        """
    )
    _logger.info("msp_mrr_billing: %s billing stamps moved", cr.rowcount)
    cr.execute("ALTER TABLE account_analytic_line DROP COLUMN msp_invoice_line_id")
