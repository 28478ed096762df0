# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _msp_home_screens(self):
        # Billing starts from the billing runs to review.
        screens = super()._msp_home_screens()
        screens["msp_base.group_msp_billing"] = "msp_mrr_billing.menu_msp_billing_runs"
        return screens
