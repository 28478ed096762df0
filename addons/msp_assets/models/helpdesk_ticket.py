# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

DEVICE_CLASSES = ("endpoint", "server", "network")


class HelpdeskTicketCategory(models.Model):
    _inherit = "helpdesk.ticket.category"

    msp_requires_asset = fields.Boolean(
        string="Hardware",
        help="Tickets of this category cannot be closed without their asset.",
    )


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    msp_asset_id = fields.Many2one(
        "msp.asset",
        string="Asset",
        index="btree_not_null",
        compute="_compute_msp_asset_id",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('client_id', '=', commercial_partner_id)]",
        help="The device, licence or mailbox the ticket is about. Filled in "
        "when the requester has exactly one active device.",
    )
    msp_asset_type_id = fields.Many2one(
        related="msp_asset_id.type_id", string="Asset Type", store=True
    )
    msp_asset_warranty_state = fields.Selection(
        related="msp_asset_id.warranty_state", string="Warranty"
    )
    msp_asset_warranty_end_date = fields.Date(
        related="msp_asset_id.warranty_end_date", string="Warranty Expiry"
    )
    msp_requires_asset = fields.Boolean(related="category_id.msp_requires_asset")

    @api.depends("partner_id")
    def _compute_msp_asset_id(self):
        """Keep an asset of the ticket's client; else the requester's only
        active device, if they have exactly one (one search per batch)."""
        todo = self.filtered(
            lambda t: (
                t.partner_id
                and t.msp_asset_id.client_id != t.partner_id.commercial_partner_id
            )
        )
        (self - todo).filtered(lambda t: not t.partner_id).msp_asset_id = False
        if not todo:
            return
        companies = todo.company_id | self.env.company
        groups = (
            self.env["msp.asset"]
            .sudo()
            ._read_group(
                [
                    ("contact_id", "in", todo.partner_id.ids),
                    ("state", "=", "active"),
                    ("billing_class", "in", DEVICE_CLASSES),
                    ("company_id", "in", companies.ids),
                ],
                ["contact_id", "company_id"],
                ["id:array_agg"],
            )
        )
        only = {
            (contact.id, company.id): ids[0]
            for contact, company, ids in groups
            if len(ids) == 1
        }
        for ticket in todo:
            company = ticket.company_id or self.env.company
            ticket.msp_asset_id = only.get((ticket.partner_id.id, company.id), False)

    def write(self, vals):
        result = super().write(vals)
        if "stage_id" in vals or "msp_asset_id" in vals or "category_id" in vals:
            self._check_asset_on_close()
        return result

    def _check_asset_on_close(self):
        missing = self.filtered(
            lambda t: (
                t.stage_id.closed
                and t.category_id.msp_requires_asset
                and not t.msp_asset_id
            )
        )
        if missing:
            raise UserError(
                self.env._(
                    "%(tickets)s: the category %(category)s is hardware, so the "
                    "ticket needs its asset before it can be closed. Pick the "
                    "asset, or use 'Create Asset' on the ticket to record it now.",
                    tickets=", ".join(missing.mapped("display_name")),
                    category=missing[0].category_id.name,
                )
            )

    def action_msp_create_asset(self):
        """Record the ticket's asset on the spot; saving links it back."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Create Asset"),
            "res_model": "msp.asset",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_client_id": self.commercial_partner_id.id,
                "default_contact_id": self.partner_id.id
                if self.partner_id != self.commercial_partner_id
                else False,
                "msp_link_ticket_id": self.id,
            },
        }
