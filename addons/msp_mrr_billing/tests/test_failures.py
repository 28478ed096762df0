# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date
from unittest.mock import patch

import psycopg2
from odoo.tests import tagged

from ..models.msp_billing_run import MspBillingRun
from .common import BillingCase


@tagged("post_install", "-at_install")
class TestReadableFailures(BillingCase):
    def test_a_failure_keeps_its_traceback_and_logs_a_warning(self):
        self.contract.msp_tm_product_id = False
        self.entry(self.ticket(), date(2026, 1, 20), 1.0, kind="billable")
        with self.assertLogs(
            "odoo.addons.msp_mrr_billing.models.msp_billing_run", "WARNING"
        ) as logs:
            line = self.bill(date(2026, 2, 15), self.contract).line_ids
        self.assertEqual(line.state, "failed")
        self.assertIn("no T&M product", line.error)
        self.assertIn("Traceback", line.error_details)
        self.assertIn("UserError", line.error_details)
        self.assertIn("_tm_lines", line.error_details)
        self.assertIn("Traceback", "\n".join(logs.output))
        action = line.action_view_error()
        self.assertEqual((action["res_model"], action["res_id"]), (line._name, line.id))

    def test_serialization_failures_are_retried_not_reported(self):
        run = self.env["msp.billing.run"].create({"billing_date": date(2026, 2, 15)})
        error = psycopg2.errors.SerializationFailure("could not serialize access")
        with (
            patch.object(MspBillingRun, "_prepare_contracts", side_effect=error),
            self.assertRaises(psycopg2.errors.SerializationFailure),
        ):
            run._bill(self.contract)
        self.assertFalse(run.line_ids, "no failed line: the request is retried")
        # the retry (a new transaction) bills it
        run._bill(self.contract)
        self.assertEqual(run.line_ids.state, "invoiced")
