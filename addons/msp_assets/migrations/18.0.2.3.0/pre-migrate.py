# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The root.msp.reports job channel moves from msp_mrr_billing to msp_assets
(the asset reconciliation runs on it): keep the record, change its owner,
so that neither module's update deletes or duplicates it."""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE ir_model_data
           SET module = 'msp_assets'
         WHERE module = 'msp_mrr_billing' AND name = 'channel_msp_reports'
           AND NOT EXISTS (SELECT 1 FROM ir_model_data
                            WHERE module = 'msp_assets'
                              AND name = 'channel_msp_reports')
        """
    )
