# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _msp_home_screens(self):
        # Dispatchers start from triage: open tickets nobody owns.
        screens = super()._msp_home_screens()
        screens["msp_base.group_msp_dispatcher"] = (
            "msp_routing.menu_msp_dispatch_unassigned"
        )
        return screens
