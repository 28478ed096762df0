# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _msp_home_screens(self):
        # Service managers start from the SLA overview.
        screens = super()._msp_home_screens()
        screens["msp_base.group_msp_service_manager"] = "msp_sla.menu_msp_sla_report"
        return screens
