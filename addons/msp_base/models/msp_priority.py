# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The suite's one reading of helpdesk_mgmt's priority codes.

helpdesk_mgmt stores "0" (Low) to "3" (Very High); an MSP speaks of P1 (an
outage) to P4 (a request). The codes stay (stored data, OCA domains, the star
widget's order), only the labels change: "3" reads P1 everywhere."""

from odoo import api, fields, models

# in code order ("0" first), as helpdesk_mgmt declares them
PRIORITIES = [
    ("0", "P4 - Request"),
    ("1", "P3 - Standard"),
    ("2", "P2 - Degraded"),
    ("3", "P1 - Outage"),
]
PRIORITY_CODE = {"3": "P1", "2": "P2", "1": "P3", "0": "P4"}


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    priority = fields.Selection(
        selection=PRIORITIES,
        help="P1 outage (most urgent), P2 degraded service, P3 standard, P4 request.",
    )
    msp_contact_name = fields.Char(
        string="Contact Person",
        compute="_compute_msp_contact_name",
        help="The person who asked (empty when the ticket is on the client "
        "company itself).",
    )

    @api.depends("partner_id", "commercial_partner_id")
    def _compute_msp_contact_name(self):
        for ticket in self:
            partner = ticket.partner_id
            ticket.msp_contact_name = (
                partner.name if partner != ticket.commercial_partner_id else False
            )
