# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class HelpdeskTicket(models.Model):
    """Tickets carry facts only the system establishes (SLA status, alert
    counts, routing and claim dates): each msp addon lists its own in
    ``_msp_system_fields``."""

    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "msp.system.fields.mixin"]
