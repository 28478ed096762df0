# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.msp_base.tests.common import call_kw, role_user


@tagged("post_install", "-at_install")
class TestRunCreateFromForm(HttpCase):
    def test_form_defaults_are_no_claim_of_a_fact(self):
        """The web client sends a new run's defaults back (state 'draft'):
        billing creates it; a state the system sets is still refused."""
        role_user(self.env, "run_form_billing", "group_msp_billing")
        self.authenticate("run_form_billing", "run_form_billing")
        run_id = call_kw(
            self,
            "msp.billing.run",
            "web_save",
            [],
            {"state": "draft"},
            specification={},
        )[0]["id"]
        self.assertEqual(self.env["msp.billing.run"].browse(run_id).state, "draft")
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            call_kw(self, "msp.billing.run", "create", {"state": "posted"})
