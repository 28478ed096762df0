# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    msp_skill_category_ids = fields.Many2many(
        "helpdesk.ticket.category",
        "msp_user_skill_category_rel",
        "user_id",
        "category_id",
        string="Routing Skills",
        help="Ticket categories this technician handles (skill-based routing).",
    )
    msp_away_until = fields.Datetime(
        string="Away Until",
        help="On leave or away: routing skips this technician until then.",
    )

    def _msp_available(self, when):
        """The users routing may give work to at ``when``."""
        return self.filtered(
            lambda u: (
                u.active
                and not u.share
                and (not u.msp_away_until or u.msp_away_until <= when)
            )
        )

    @api.model
    def _msp_home_screens(self):
        # Dispatchers start from triage: open tickets nobody owns.
        screens = super()._msp_home_screens()
        screens["msp_base.group_msp_dispatcher"] = (
            "msp_routing.menu_msp_dispatch_unassigned"
        )
        return screens
