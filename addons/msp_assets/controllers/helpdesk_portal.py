# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The affected device on the portal's new-ticket form: one of the client's
own active devices, checked again on submit (a device of another client, an
archived or retired one, or a malformed id is refused with the form again,
HTTP 400, and nothing is stored)."""

from odoo.http import request

from odoo.addons.msp_base.controllers.helpdesk_portal import (
    MspHelpdeskTicketController,
    form_id,
)

from ..models.helpdesk_ticket import DEVICE_CLASSES


class MspAssetsHelpdeskTicketController(MspHelpdeskTicketController):
    def _msp_portal_devices(self, company=None):
        """The devices the current user may name on a ticket: the active
        devices of their client (commercial partner) in ``company``, their
        own first. Read as superuser: portal users have no access to
        assets, the domain is the access check."""
        user = request.env.user
        client = user.sudo().commercial_partner_id
        company = company or request.env.company
        devices = (
            request.env["msp.asset"]
            .sudo()
            .search(
                [
                    ("client_id", "=", client.id),
                    ("state", "=", "active"),
                    ("billing_class", "in", DEVICE_CLASSES),
                    ("company_id", "=", company.id),
                ]
            )
        )
        return devices.sorted(
            lambda d: (d.contact_id != user.partner_id, (d.name or "").lower())
        )

    def _get_create_new_ticket_values(self, **kw):
        values = super()._get_create_new_ticket_values(**kw)
        values["msp_devices"] = self._msp_portal_devices()
        values["msp_user_partner"] = request.env.user.partner_id
        return values

    def _prepare_submit_ticket_vals(self, **kw):
        vals = super()._prepare_submit_ticket_vals(**kw)
        company = request.env["res.company"].browse(vals["company_id"])
        devices = self._msp_portal_devices(company)
        device = form_id(kw, "device", devices, request.env._("device"))
        if device:
            vals["msp_asset_id"] = device.id
        return vals
