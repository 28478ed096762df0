# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Contract terms, blocks and runs that cannot bill are refused."""

from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.msp_base.tests.common import call_kw

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestBillingValidation(HttpCase, BillingCase):
    def test_contract_terms(self):
        for vals in (
            {"recurring_interval": 0},
            {"date_end": date(2026, 1, 1)},  # before the start (01-15)
            {"msp_retainer_min_hours": 25.0, "msp_retainer_max_hours": 15.0},
            {"msp_tm_rate": -120.0},
            {"msp_after_hours_multiplier": -1.5},
            {"msp_included_hours": -1.0},
            {"msp_billing_increment_minutes": -15},
            {"msp_block_overage_rate": -1.0},
        ):
            with self.assertRaises(ValidationError, msg=str(vals)):
                with self.env.cr.savepoint():
                    self.contract.write(vals)
        self.contract.write(
            {"msp_retainer_min_hours": 15.0, "msp_retainer_max_hours": 25.0}
        )
        with self.assertRaises(ValidationError):
            self.make_contract(self.client, msp_tm_rate=-1.0)

    def test_prepaid_blocks(self):
        values = {
            "name": "Block",
            "contract_id": self.contract.id,
            "date": date(2026, 2, 1),
            "expiry_date": date(2026, 12, 31),
            "hours": 10.0,
        }
        for bad in ({"hours": 0.0}, {"hours": -5.0},
                    {"expiry_date": date(2026, 1, 31)}):  # fmt: skip
            with self.assertRaises(ValidationError, msg=str(bad)):
                with self.env.cr.savepoint():
                    self.env["msp.prepaid.block"].create({**values, **bad})
        self.assertEqual(self.env["msp.prepaid.block"].create(values).hours, 10.0)

    def test_run_dates(self):
        today = fields.Date.context_today(self.env["msp.billing.run"])
        with self.assertRaises(ValidationError):
            self.env["msp.billing.run"].create({"billing_date": date(9999, 1, 1)})
        with self.assertRaises(ValidationError):
            self.env["msp.billing.run"].create(
                {"billing_date": today + timedelta(days=1)}
            )
        self.env["ir.config_parameter"].set_param("msp_mrr_billing.max_days_ahead", "5")
        run = self.env["msp.billing.run"].create(
            {"billing_date": today + timedelta(days=5)}
        )
        self.assertEqual(run.billing_date, today + timedelta(days=5))

    def test_over_rpc_a_validation_error_not_a_traceback(self):
        new_test_user(
            self.env,
            login="bv_billing",
            password="bv_billing_pw",
            groups="base.group_user,msp_base.group_msp_billing",
        )
        self.authenticate("bv_billing", "bv_billing_pw")
        for model, vals in (
            ("msp.billing.run", {"billing_date": "2026-02-30"}),
            ("msp.billing.run", {"billing_date": "9999-12-31"}),
        ):
            with self.assertRaises(JsonRpcException) as caught:
                call_kw(self, model, "create", vals)
            self.assertEqual(
                caught.exception.args[0], "odoo.exceptions.ValidationError"
            )
        with self.assertRaises(JsonRpcException) as caught:
            call_kw(self, "contract.contract", "write", self.contract.ids,
                    {"msp_included_hours": float("nan")})  # fmt: skip
        self.assertEqual(caught.exception.args[0], "odoo.exceptions.ValidationError")
