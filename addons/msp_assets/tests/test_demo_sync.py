# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The demo's sync history: last night's complete run of every source."""

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoSyncHistory(TransactionCase):
    def setUp(self):
        super().setUp()
        if not self.env.ref("msp_assets.source_ninjaone", raise_if_not_found=False):
            self.skipTest("database installed without demo data")

    def test_a_complete_run_per_source(self):
        sources = self.env["msp.asset.source"].search([])
        runs = self.env["msp.asset.sync.run"].search([])
        self.assertEqual(runs.source_id, sources)
        for run in runs:
            self.assertEqual(run.state, "done")
            self.assertTrue(run.complete and run.finished > run.started)
            self.assertEqual(
                run.unchanged,
                self.env["msp.asset"].search_count(
                    [("source_id", "=", run.source_id.id)]
                ),
            )
        self.assertFalse(self.env["msp.demo"].generate_sync_history())

    def test_this_quarters_reconciliation_is_computed(self):
        [reconciliation] = self.env["msp.asset.reconciliation"].search([])
        self.assertEqual(reconciliation.state, "done")
        clients = reconciliation.line_ids.client_id
        self.assertIn(self.env.ref("msp_base.client_acme"), clients)
        self.assertIn(self.env.ref("msp_base.client_legal_a"), clients)
        self.assertFalse(self.env["msp.demo"].generate_reconciliation())
