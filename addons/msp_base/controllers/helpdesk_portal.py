# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The portal's new-ticket form and close button, made for clients and safe.

The new-ticket form asks the category, the urgency and the impact (the
server derives the priority, ``PRIORITY_MATRIX``); every value posted is
checked against what the form offered (a 400 with the form again, never a
500, never a stored foreign id). Addons add their fields through
``_prepare_submit_ticket_vals`` and raise ``TicketFormError``.

The close button:

OCA helpdesk_mgmt's ``/ticket/close`` closes any ticket by id with ``sudo()``,
on GET and without CSRF. Here it is POST only (GET answers 405), CSRF
checked, and the closing is the ticket's ``_msp_client_close``: only a
contact of the ticket's client, only into a closing stage of the ticket's
team, under the rules of the addons (resolution note, SLA clocks).
"""

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from werkzeug.exceptions import BadRequest, Forbidden

from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController
from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk

from ..models.helpdesk_ticket import IMPACTS, URGENCIES, ClientCloseRefused

FLASH_KEY = "msp_ticket_close_message"


class TicketFormError(Exception):
    """A value posted by the new-ticket form is not one it offered: the form
    is shown again with this message (HTTP 400), nothing is created."""


def valid_date(value):
    """``value`` is an ISO date (or datetime) string."""
    try:
        return bool(value) and bool(fields.Datetime.to_datetime(value))
    except ValueError:
        return False


def _is_id(value):
    return isinstance(value, str) and value.isascii() and value.isdigit()


def _to_id(value):
    if not _is_id(value):
        raise BadRequest("ticket_id and stage_id must be record ids")
    return int(value)


def form_id(kw, name, allowed, label):
    """The record of ``allowed`` posted as ``kw[name]`` (empty: an empty
    recordset); anything else raises ``TicketFormError``."""
    value = kw.get(name)
    if value in (None, ""):
        return allowed.browse()
    if _is_id(value) and int(value) in allowed.ids:
        return allowed.browse(int(value))
    raise TicketFormError(
        request.env._("Please choose the %(field)s from the list.", field=label)
    )


class MspHelpdeskTicketController(HelpdeskTicketController):
    # ------------------------------------------------------------ new ticket

    def _get_categories(self, **kw):
        """Clients always pick a category (OCA's company switch aside): the
        active portal categories of the company."""
        company = request.env.company
        return (
            request.env["helpdesk.ticket.category"]
            .with_company(company)
            .search(
                [
                    ("active", "=", True),
                    ("show_in_portal", "=", True),
                    ("company_id", "in", [False, company.id]),
                ]
            )
        )

    def _get_create_new_ticket_values(self, **kw):
        values = super()._get_create_new_ticket_values(**kw)
        company = request.env.company
        values.update(
            {
                # optional unless the company asks for it: "not sure" is an
                # honest answer the dispatcher fixes
                "ticket_category_id_required": (
                    company.helpdesk_mgmt_portal_select_category
                    and company.helpdesk_mgmt_portal_category_id_required
                ),
                "msp_urgencies": self._msp_selection("msp_urgency"),
                "msp_impacts": self._msp_selection("msp_impact"),
                "msp_form": kw,
                "msp_form_error": None,
            }
        )
        return values

    def _msp_selection(self, field):
        """A selection's options in the user's language."""
        Ticket = request.env["helpdesk.ticket"]
        return Ticket.fields_get([field], ["selection"])[field]["selection"]

    def _prepare_submit_ticket_vals(self, **kw):
        categories = self._get_categories(**kw)
        category = form_id(kw, "category", categories, request.env._("category"))
        kw = dict(kw)
        teams = self._get_teams()
        if teams:
            form_id(kw, "team", teams, request.env._("team"))
        else:
            kw.pop("team", None)  # OCA ignores it too when not offered
        # Our form asks both; a post without either (another form, a script,
        # OCA's own tests) keeps helpdesk_mgmt's priority. One without the
        # other, or a value the form does not offer, is refused.
        answered = bool(kw.get("urgency") or kw.get("impact"))
        for name, options in (("urgency", URGENCIES), ("impact", IMPACTS)):
            if answered and kw.get(name) not in dict(options):
                raise TicketFormError(
                    request.env._(
                        "Please tell us how urgent it is and who is affected."
                    )
                )
        if not (kw.get("subject") or "").strip():
            raise TicketFormError(request.env._("Please give the ticket a subject."))
        kw["category"] = str(category.id) if category else ""
        kw["description"] = kw.get("description") or ""
        vals = super()._prepare_submit_ticket_vals(**kw)
        if answered:
            Ticket = request.env["helpdesk.ticket"]
            vals.update(
                {
                    "msp_urgency": kw["urgency"],
                    "msp_impact": kw["impact"],
                    "priority": Ticket._msp_portal_priority(
                        kw["urgency"], kw["impact"]
                    ),
                }
            )
        return vals

    @http.route()
    def create_new_ticket(self, **kw):
        # only a message may come back to the form through the URL
        return super().create_new_ticket()

    @http.route()
    def submit_ticket(self, **kw):
        """OCA's submit, or the form again with what was wrong (400)."""
        try:
            return super().submit_ticket(**kw)
        except TicketFormError as error:
            form = {k: v for k, v in kw.items() if isinstance(v, str)}
            values = self._get_create_new_ticket_values(**form)
            values["msp_form_error"] = str(error)
            return request.render(
                "helpdesk_mgmt.portal_create_ticket", values, status=400
            )

    # ------------------------------------------------------------ closing

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
    @http.route()
    def portal_my_tickets(
        self,
        sortby=None,
        date_begin=None,
        date_end=None,
        filterby=None,
        groupby=None,
        search_in=None,
        **kw,
    ):
        """OCA's list; an unknown sort, filter, grouping or search field, or
        a malformed date in the URL falls back to the default instead of a
        server error."""
        if sortby not in self._ticket_get_searchbar_sortings():
            sortby = None
        if groupby not in self._ticket_get_searchbar_groupby():
            groupby = None
        if search_in not in self._ticket_get_searchbar_inputs():
            search_in = None
        stages = request.env["helpdesk.ticket.stage"].search([])
        if filterby not in ["all", *map(str, stages.ids)]:
            filterby = None
        if not (valid_date(date_begin) and valid_date(date_end)):
            date_begin = date_end = None
        return super().portal_my_tickets(
            sortby=sortby,
            date_begin=date_begin,
            date_end=date_end,
            filterby=filterby,
            groupby=groupby,
            search_in=search_in,
            **kw,
        )

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
