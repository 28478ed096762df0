# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The asset history (msp.asset.history) starts now: a snapshot of an
earlier day, taken late, says the changes before it were not recorded."""

from odoo import SUPERUSER_ID, api, fields


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute("SELECT 1 FROM msp_asset LIMIT 1")
    if cr.fetchone():
        env["ir.config_parameter"].set_param(
            "msp_assets.history_since", fields.Date.to_string(fields.Date.today())
        )
