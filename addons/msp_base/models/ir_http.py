# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""MSP staff land on their role's working screen, not in Discuss."""

from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        info = super().session_info()
        user = self.env.user
        # A home action the user (or an admin) chose wins; otherwise an MSP
        # role decides it: technicians their day, dispatchers triage, ...
        if not info.get("home_action_id") and user._is_internal() and user._msp_roles():
            home = self.env.ref("msp_base.action_msp_home", raise_if_not_found=False)
            if home:
                info["home_action_id"] = home.id
        return info
