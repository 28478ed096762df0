# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""One app for MSP staff: OCA Helpdesk's own app menu is hidden from them.

Every ticket screen and helpdesk setting an MSP role needs is under the
*MSP* menu; two apps with overlapping menus made opening a ticket switch
the top bar. Users without an MSP role, and anyone in developer mode,
still see the Helpdesk app.
"""

from odoo import api, models

HIDDEN_FOR_MSP_ROLES = ("helpdesk_mgmt.helpdesk_ticket_main_menu",)


class IrUiMenu(models.Model):
    _inherit = "ir.ui.menu"

    @api.model
    def _visible_menu_ids(self, debug=False):
        visible = super()._visible_menu_ids(debug=debug)
        if debug or not self.env.user._msp_roles():
            return visible
        hidden = set()
        for xmlid in HIDDEN_FOR_MSP_ROLES:
            menu = self.env.ref(xmlid, raise_if_not_found=False)
            if menu:
                hidden.add(menu.id)
        return visible - hidden if hidden else visible
