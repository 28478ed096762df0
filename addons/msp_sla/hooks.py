# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def post_init_hook(env):
    """Start SLA clocks on the tickets that are open when the addon arrives,
    from their creation date (closed tickets keep no clock)."""
    tickets = env["helpdesk.ticket"].search([("stage_id.closed", "=", False)])
    tickets._msp_sla_start_clocks()
