# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The portal's close button, made safe.

OCA helpdesk_mgmt's ``/ticket/close`` closes any ticket by id with ``sudo()``,
on GET and without CSRF. Here it is POST only (GET answers 405), CSRF
checked, and the closing is the ticket's ``_msp_client_close``: only a
contact of the ticket's client, only into a closing stage of the ticket's
team, under the rules of the addons (resolution note, SLA clocks).
"""

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from werkzeug.exceptions import BadRequest, Forbidden

from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController
from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk

from ..models.helpdesk_ticket import ClientCloseRefused

FLASH_KEY = "msp_ticket_close_message"


def _to_id(value):
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        raise BadRequest("ticket_id and stage_id must be record ids")
    return int(value)


class MspHelpdeskTicketController(HelpdeskTicketController):
    @http.route("/ticket/close", type="http", auth="user", methods=["POST"], csrf=True)
    def support_ticket_close(self, **kw):
        """Close the ticket for its client (POST with CSRF token)."""
        ticket_id = _to_id(kw.get("ticket_id"))
        stage_id = _to_id(kw.get("stage_id"))
        ticket = request.env["helpdesk.ticket"].browse(ticket_id).exists()
        try:
            ticket.ensure_one()
            ticket.check_access("read")
        except (AccessError, MissingError, ValueError):
            # not the user's to see: do not tell whether it exists
            return request.not_found()
        stage = request.env["helpdesk.ticket.stage"].sudo().browse(stage_id).exists()
        try:
            with request.env.cr.savepoint():
                ticket._msp_client_close(stage)
        except AccessError as error:
            raise Forbidden(str(error)) from error
        except ClientCloseRefused as error:
            ticket._msp_client_close_refused(stage, str(error))
            request.session[FLASH_KEY] = str(error)
        except UserError as error:
            request.session[FLASH_KEY] = str(error)
        # 302 as OCA answers (its portal tests expect it)
        return request.redirect(f"/my/ticket/{ticket.id}", code=302)


class MspCustomerPortalHelpdesk(CustomerPortalHelpdesk):
    def _ticket_get_page_view_values(self, ticket, access_token, **kwargs):
        values = super()._ticket_get_page_view_values(ticket, access_token, **kwargs)
        # close buttons only for the client's own contacts, for the stages
        # the close route accepts (``ticket`` is the superuser's here)
        can_close = (
            ticket._msp_is_client_contact(request.env.user)
            and not ticket.stage_id.closed
        )
        values["closed_stages"] = (
            ticket._msp_client_close_stages()
            if can_close
            else request.env["helpdesk.ticket.stage"]
        )
        values["msp_close_message"] = request.session.pop(FLASH_KEY, None)
        return values
