# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Change orders on the client's portal: a section on the project's page,
a list (/my/change_orders), a page per change order with Approve / Reject
for the ones waiting for the client.

Reading goes through the portal user's record rules (their company's
change orders, never drafts) or the change order's access token from the
e-mail; the decision needs a logged-in contact of the client (who decided
is recorded) and a CSRF-checked POST. sudo() is only used on a record that
passed ``_document_check_access``."""

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from werkzeug.exceptions import NotFound

from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.addons.project.controllers.portal import ProjectCustomerPortal


class MspChangeOrderPortal(ProjectCustomerPortal):
    def _msp_change_orders_domain(self):
        return [("state", "!=", "draft")]

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "msp_change_order_count" in counters:
            ChangeOrder = request.env["msp.change.order"]
            values["msp_change_order_count"] = (
                ChangeOrder.search_count(self._msp_change_orders_domain())
                if ChangeOrder.has_access("read")
                else 0
            )
        return values

    def _project_get_page_view_values(self, project, access_token, *args, **kwargs):
        values = super()._project_get_page_view_values(
            project, access_token, *args, **kwargs
        )
        ChangeOrder = request.env["msp.change.order"]
        if ChangeOrder.has_access("read"):
            # the user's own rules: their company's, never drafts
            orders = ChangeOrder.search(
                [("project_id", "=", project.id), *self._msp_change_orders_domain()]
            )
        else:
            orders = ChangeOrder
        values["msp_change_orders"] = orders.sudo()
        return values

    def _msp_check_change_order(self, order_id, access_token=None):
        """The change order if the user may read it (rules, or its token);
        drafts are never shown. Raises NotFound otherwise, so a stranger
        learns nothing of its existence."""
        try:
            order_sudo = self._document_check_access(
                "msp.change.order", order_id, access_token=access_token
            )
        except (AccessError, MissingError) as error:
            raise NotFound() from error
        if order_sudo.state == "draft":
            raise NotFound()
        return order_sudo

    def _msp_can_decide(self, order_sudo):
        user = request.env.user
        return (
            order_sudo.state == "sent"
            and not user._is_public()
            and user.partner_id.commercial_partner_id == order_sudo.partner_id
        )

    @http.route(
        ["/my/change_orders", "/my/change_orders/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_change_orders(self, page=1, **kw):
        try:
            page = max(int(page), 1)
        except (TypeError, ValueError):
            page = 1
        ChangeOrder = request.env["msp.change.order"]
        domain = self._msp_change_orders_domain()
        readable = ChangeOrder.has_access("read")
        count = ChangeOrder.search_count(domain) if readable else 0
        pager = portal_pager(
            url="/my/change_orders", total=count, page=page, step=self._items_per_page
        )
        orders = (
            ChangeOrder.search(
                domain,
                order="id desc",
                limit=self._items_per_page,
                offset=pager["offset"],
            )
            if readable
            else ChangeOrder
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "msp_change_orders",
                "msp_change_orders": orders.sudo(),
                "pager": pager,
                "default_url": "/my/change_orders",
            }
        )
        return request.render("msp_ticket_project.portal_my_change_orders", values)

    @http.route(
        ["/my/change_orders/<int:order_id>"], type="http", auth="public", website=True
    )
    def portal_my_change_order(self, order_id, access_token=None, message=None, **kw):
        order_sudo = self._msp_check_change_order(order_id, access_token)
        values = self._get_page_view_values(
            order_sudo,
            access_token,
            {
                "page_name": "msp_change_order",
                "change_order": order_sudo,
                "msp_can_decide": self._msp_can_decide(order_sudo),
                "msp_message": message
                if message in ("approved", "rejected", "error")
                else None,
            },
            "my_change_orders_history",
            False,
        )
        return request.render("msp_ticket_project.portal_my_change_order", values)

    @http.route(
        ["/my/change_orders/<int:order_id>/decision"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_change_order_decision(self, order_id, decision=None, **kw):
        """The client approves or rejects: only a logged-in contact of the
        change order's client (the record rule reads it, no token), only
        while it is sent. Who and when are recorded by _msp_decide."""
        try:
            order_sudo = self._document_check_access("msp.change.order", order_id)
        except (AccessError, MissingError) as error:
            raise NotFound() from error
        if order_sudo.state == "draft":
            raise NotFound()
        if decision not in ("approve", "reject"):
            return request.redirect(f"/my/change_orders/{order_sudo.id}")
        partner = request.env.user.partner_id
        if partner.commercial_partner_id != order_sudo.partner_id:
            raise NotFound()
        try:
            order_sudo._msp_decide(decision, partner, channel="portal")
        except UserError:
            # decided meanwhile (by a colleague, or staff): the page says so
            return request.redirect(f"/my/change_orders/{order_sudo.id}?message=error")
        state = "approved" if decision == "approve" else "rejected"
        return request.redirect(f"/my/change_orders/{order_sudo.id}?message={state}")
