# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

DOMAIN_RE = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")


class ResPartner(models.Model):
    _inherit = "res.partner"

    msp_email_domain = fields.Char(
        string="E-mail Domain",
        index=True,
        help="The client's own e-mail domain (e.g. acme-mfg.com). Mail from an "
        "unknown sender of this domain is filed under this client.",
    )

    @api.model
    def _msp_normalize_domain(self, value):
        value = (value or "").strip().lower()
        return value.split("@")[-1].lstrip(".") if value else False

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("msp_email_domain"):
                vals["msp_email_domain"] = self._msp_normalize_domain(
                    vals["msp_email_domain"]
                )
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("msp_email_domain"):
            vals["msp_email_domain"] = self._msp_normalize_domain(
                vals["msp_email_domain"]
            )
        return super().write(vals)

    @api.constrains("msp_email_domain")
    def _check_msp_email_domain(self):
        for partner in self.filtered("msp_email_domain"):
            if not DOMAIN_RE.match(partner.msp_email_domain):
                raise ValidationError(
                    self.env._(
                        "%(domain)s is not an e-mail domain (expected e.g. "
                        "acme-mfg.com).",
                        domain=partner.msp_email_domain,
                    )
                )
