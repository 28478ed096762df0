# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Nonsense time is refused with a clear ValidationError, over RPC too."""

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.msp_base.tests.common import call_kw

from .common import MspTimeCase

VALIDATION_ERROR = "odoo.exceptions.ValidationError"


@tagged("post_install", "-at_install")
class TestTimeValidation(HttpCase, MspTimeCase):
    def rpc_refused(self, vals):
        values = {
            "name": "Worked on it",
            "ticket_id": self.ticket.id,
            "project_id": self.ticket.project_id.id or self.project.id,
            "unit_amount": 1.0,
            **vals,
        }
        with self.assertRaises(JsonRpcException, msg=str(vals)) as caught:
            call_kw(self, "account.analytic.line", "create", values)
        self.assertEqual(caught.exception.args[0], VALIDATION_ERROR, str(vals))

    def test_nonsense_over_rpc_is_a_validation_error(self):
        # the JSON encoder writes NaN and Infinity as Python's json reads them
        self.authenticate("mt_tech", "mt_techx")
        for vals in (
            {"unit_amount": float("nan")},
            {"unit_amount": float("inf")},
            {"unit_amount": 1e9},
            {"unit_amount": -1.0},
            {"unit_amount": 25.0},
            {"date": "2026-02-30"},
            {"date": "9999-01-01"},
            {"date": "not a date"},
        ):
            self.rpc_refused(vals)
        entry_id = call_kw(
            self, "account.analytic.line", "create",
            {"name": "ok", "ticket_id": self.ticket.id,
             "project_id": self.ticket.project_id.id or self.project.id,
             "unit_amount": 1.5},
        )  # fmt: skip
        with self.assertRaises(JsonRpcException) as caught:
            call_kw(self, "account.analytic.line", "write", [entry_id],
                    {"unit_amount": float("nan")})  # fmt: skip
        self.assertEqual(caught.exception.args[0], VALIDATION_ERROR)
        self.assertEqual(self.Line.browse(entry_id).unit_amount, 1.5)

    def test_longest_entry_is_a_company_setting(self):
        with self.assertRaises(ValidationError):
            self._entry(hours=24.5)
        self.assertEqual(self._entry(hours=24.0).unit_amount, 24.0)
        self.company.msp_time_max_entry_hours = 0  # no limit
        self.assertEqual(self._entry(hours=30.0).unit_amount, 30.0)
        self.company.msp_time_max_entry_hours = 8
        with self.assertRaises(ValidationError):
            self._entry(hours=8.5)
