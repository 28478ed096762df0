# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

CONTRACT_KEYS = {"msp_sla_profile_id", "partner_id", "date_start", "date_end", "active"}


class ContractContract(models.Model):
    _inherit = "contract.contract"

    msp_sla_profile_id = fields.Many2one(
        "msp.sla.profile",
        string="SLA Profile",
        tracking=True,
        help="Response and resolution targets this agreement promises.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        contracts = super().create(vals_list)
        contracts._msp_sla_refresh_tickets()
        return contracts

    def write(self, vals):
        partners = self.commercial_partner_id
        result = super().write(vals)
        if CONTRACT_KEYS & set(vals):
            self._msp_sla_refresh_tickets(partners)
        return result

    def _msp_in_force(self, day):
        """Whether this contract runs on ``day``."""
        self.ensure_one()
        return bool(
            self.active
            and self.date_start
            and self.date_start <= day
            and (not self.date_end or self.date_end >= day)
        )

    def _msp_sla_refresh_tickets(self, partners=None):
        """Open tickets of the clients follow their contract's profile."""
        partners = self.commercial_partner_id | (partners or self.env["res.partner"])
        tickets = (
            self.env["helpdesk.ticket"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "in", partners.ids),
                    ("stage_id.closed", "=", False),
                ]
            )
        )
        if tickets:
            # recompute the stored contract field, then the clocks, once
            self.env.add_to_compute(tickets._fields["msp_contract_id"], tickets)
            tickets._msp_sla_rebuild()
