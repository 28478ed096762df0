# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools

from ..models.msp_sla_clock import KINDS
from ..models.msp_sla_profile import PRIORITIES


class MspSlaReport(models.Model):
    """One row per live SLA clock, for pivot and graph: hit rate by
    priority, client, technician, team and week."""

    _name = "msp.sla.report"
    _description = "SLA Analysis"
    _auto = False
    _order = "start desc"

    ticket_id = fields.Many2one("helpdesk.ticket", readonly=True)
    kind = fields.Selection(KINDS, string="Clock", readonly=True)
    priority = fields.Selection(PRIORITIES, readonly=True)
    profile_id = fields.Many2one("msp.sla.profile", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    user_id = fields.Many2one("res.users", string="Technician", readonly=True)
    team_id = fields.Many2one("helpdesk.ticket.team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    start = fields.Datetime(string="Created", readonly=True)
    outcome = fields.Selection(
        [
            ("met", "Met"),
            ("breached", "Breached"),
            ("client_closed", "Closed by Client"),
            ("open", "Open"),
        ],
        readonly=True,
    )
    hit_rate = fields.Float(
        string="Hit Rate (%)",
        aggregator="avg",
        readonly=True,
        help="Share of finished clocks that met their target (clocks the "
        "client stopped by closing the ticket, not breached, are left out).",
    )
    actual_hours = fields.Float(string="Actual (h)", aggregator="avg", readonly=True)
    target_hours = fields.Float(string="Target (h)", aggregator="avg", readonly=True)
    count = fields.Integer(string="Clocks", aggregator="sum", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS (
                SELECT c.id, c.ticket_id, c.kind, c.priority, c.profile_id,
                       t.commercial_partner_id AS partner_id, t.user_id, t.team_id,
                       c.company_id, c.start,
                       CASE WHEN c.breached THEN 'breached'
                            WHEN c.state = 'stopped' AND c.stop_reason = 'client'
                                THEN 'client_closed'
                            WHEN c.state = 'stopped' THEN 'met'
                            ELSE 'open' END AS outcome,
                       CASE WHEN c.breached THEN 0.0
                            WHEN c.state = 'stopped' AND c.stop_reason = 'client'
                                THEN NULL
                            WHEN c.state = 'stopped' THEN 100.0 END AS hit_rate,
                       CASE WHEN c.state = 'stopped'
                                 AND (c.stop_reason IS DISTINCT FROM 'client'
                                      OR c.breached)
                            THEN COALESCE(c.actual_hours, 0) END
                           AS actual_hours,
                       c.target_hours, 1 AS count
                  FROM msp_sla_clock c
                  JOIN helpdesk_ticket t ON t.id = c.ticket_id
                 WHERE c.state != 'superseded'
            )
            """
        )
