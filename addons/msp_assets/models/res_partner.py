# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    msp_asset_ids = fields.One2many("msp.asset", "client_id", string="Assets")
    msp_asset_count = fields.Integer(compute="_compute_msp_asset_count")

    def _compute_msp_asset_count(self):
        counts = dict(
            self.env["msp.asset"]._read_group(
                [("client_id", "in", self.ids)], ["client_id"], ["__count"]
            )
        )
        for partner in self:
            partner.msp_asset_count = counts.get(partner, 0)

    def write(self, vals):
        result = super().write(vals)
        if vals.get("active") is False:
            self._msp_close_licences()
        return result

    @api.model
    def _msp_close_licences(self):
        """Offboarding: an archived person's licence assignments close
        (retired today), so the next snapshot no longer counts them."""
        licences = (
            self.env["msp.asset"]
            .sudo()
            .search(
                [
                    ("contact_id", "in", self.ids),
                    ("billing_class", "=", "user_license"),
                    ("state", "=", "active"),
                ]
            )
        )
        if licences:
            licences.write({"state": "retired"})
            for licence in licences:
                licence.message_post(
                    body=self.env._(
                        "Closed: %(person)s was archived (offboarded).",
                        person=licence.contact_id.name,
                    )
                )
        return licences

    def action_view_msp_assets(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Assets"),
            "res_model": "msp.asset",
            "view_mode": "list,form",
            "domain": [("client_id", "=", self.commercial_partner_id.id)],
            "context": {"default_client_id": self.commercial_partner_id.id},
        }
