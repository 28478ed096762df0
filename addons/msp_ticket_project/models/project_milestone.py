# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A project's phases are its milestones (Odoo's own: tasks already point at
one, project copies map them, the portal and sale_project know them), with a
budget, an owner, a window and acceptance criteria."""

from odoo import api, fields, models
from odoo.tools import SQL

AMBER_PCT = 80.0
BURN_STATES = [
    ("green", "On Track"),
    ("amber", "At Risk"),
    ("red", "Over Budget"),
]


class ProjectMilestone(models.Model):
    _inherit = "project.milestone"
    _order = "msp_sequence, deadline, is_reached desc, name"

    msp_sequence = fields.Integer(string="Sequence", default=10)
    msp_owner_id = fields.Many2one(
        "res.users",
        string="Phase Owner",
        help="Who answers for this phase's budget and deliverable.",
    )
    msp_budget_hours = fields.Float(
        string="Budget (h)",
        tracking=True,
        help="Hours planned for this phase (change orders add to it once approved).",
    )
    msp_date_start = fields.Date(
        string="Start",
        help="First day of the phase (the deadline is its last day). For "
        "the Hypercare phase, the window in which client tickets count "
        "against its budget.",
    )
    msp_acceptance_criteria = fields.Html(
        string="Acceptance Criteria",
        help="What the client signs off to accept this phase's deliverable.",
    )
    msp_is_hypercare = fields.Boolean(
        string="Hypercare Phase",
        help="After go-live: the client's follow-up tickets inside the "
        "window log time against this phase's budget.",
    )
    msp_amount = fields.Monetary(
        string="Milestone Amount",
        groups="msp_ticket_project.group_msp_project_manager,"
        "msp_base.group_msp_billing",
        currency_field="msp_currency_id",
        help="Billed when the milestone is reached (milestone billing).",
    )
    msp_currency_id = fields.Many2one(related="project_id.currency_id")

    # ------------------------------------------------------------ rollups
    # Not stored: computed per batch (one _read_group for the tasks' estimates,
    # one SQL aggregate for the time), so the number of queries does not
    # grow with the time entries. Reading them after new time in the same
    # transaction needs an invalidation (time entries are not dependencies).
    msp_planned_hours = fields.Float(
        string="Planned (h)",
        compute="_compute_msp_rollup",
        help="Sum of the estimates (allocated hours) of the phase's tasks "
        "(top-level tasks: a subtask's estimate is part of its parent's).",
    )
    msp_actual_hours = fields.Float(
        string="Actual (h)",
        compute="_compute_msp_rollup",
        help="Time logged on the project whose task is in this phase, or "
        "whose ticket is (a ticket's phase is the one helpdesk_mgmt_project "
        "gives it, else its task's).",
    )
    msp_burn_pct = fields.Float(
        string="Burn (%)",
        compute="_compute_msp_rollup",
        help="Actual hours / budget hours.",
    )
    msp_burn_state = fields.Selection(
        BURN_STATES,
        string="Burn",
        compute="_compute_msp_rollup",
        help="Green below 80 % of the budget, amber from 80 % up to the "
        "budget, red over it (or time on a phase without budget).",
    )

    @api.depends(
        "msp_budget_hours",
        "task_ids.allocated_hours",
        "task_ids.milestone_id",
        "task_ids.parent_id",
    )
    def _compute_msp_rollup(self):
        planned = self._msp_planned_hours_by_phase()
        actual = self._msp_actual_hours_by_phase()
        for phase in self:
            key = phase._origin.id
            phase.msp_planned_hours = planned.get(key, 0.0)
            phase.msp_actual_hours = actual.get(key, 0.0)
            phase.msp_burn_pct, phase.msp_burn_state = burn(
                phase.msp_actual_hours, phase.msp_budget_hours
            )

    def _msp_phase_ids(self):
        return [phase_id for phase_id in self._origin.ids if phase_id]

    def _msp_planned_hours_by_phase(self):
        """``{phase id: hours}``: one _read_group for the batch."""
        ids = self._msp_phase_ids()
        if not ids:
            return {}
        groups = (
            self.env["project.task"]
            .sudo()
            ._read_group(
                [("milestone_id", "in", ids), ("parent_id", "=", False)],
                ["milestone_id"],
                ["allocated_hours:sum"],
            )
        )
        return {phase.id: hours for phase, hours in groups}

    def _msp_actual_hours_by_phase(self):
        """``{phase id: hours}``: one SQL aggregate for the batch. The phase
        of a time entry is its task's, else its ticket's; only entries of
        the phase's own project count."""
        ids = self._msp_phase_ids()
        if not ids:
            return {}
        self.env["account.analytic.line"].flush_model(
            ["unit_amount", "project_id", "task_id", "ticket_id"]
        )
        self.env["project.task"].flush_model(["milestone_id"])
        self.env["helpdesk.ticket"].flush_model(["milestone_id"])
        self.flush_model(["project_id"])
        projects = self.browse(ids).project_id.ids
        self.env.cr.execute(phase_hours_sql(ids, projects))
        return dict(self.env.cr.fetchall())


def phase_hours_sql(phase_ids, project_ids):
    """Hours per phase of ``phase_ids`` (of ``project_ids``): the projects'
    time summed per project and phase first, then matched to the phases (a
    phase only counts time of its own project)."""
    return SQL(
        """
        SELECT m.id, x.hours
          FROM (
                SELECT l.project_id,
                       coalesce(t.milestone_id, k.milestone_id) AS phase_id,
                       sum(l.unit_amount) AS hours
                  FROM account_analytic_line l
             LEFT JOIN project_task t ON t.id = l.task_id
             LEFT JOIN helpdesk_ticket k ON k.id = l.ticket_id
                 WHERE l.project_id = ANY(%(projects)s)
              GROUP BY 1, 2
               ) x
          JOIN project_milestone m
            ON m.id = x.phase_id AND m.project_id = x.project_id
         WHERE m.id = ANY(%(ids)s)
        """,
        ids=list(phase_ids),
        projects=list(project_ids),
    )


def burn(actual, budget):
    """``(burn %, state)`` of ``actual`` hours against ``budget`` hours."""
    if budget > 0:
        pct = 100.0 * actual / budget
        if actual > budget:
            return pct, "red"
        return pct, "amber" if pct >= AMBER_PCT else "green"
    return 0.0, "red" if actual > 0 else "green"
