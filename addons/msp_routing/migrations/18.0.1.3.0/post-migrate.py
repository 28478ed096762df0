# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Sources created before intake users existed get theirs."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    sources = (
        env["msp.intake.source"]
        .with_context(active_test=False)
        .search([("user_id", "=", False)])
    )
    sources._create_intake_users()
