# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from ..models.project_milestone import burn
from .rollup_common import ProjectRollupCase


@tagged("post_install", "-at_install")
class TestRollup(ProjectRollupCase):
    def test_phase_and_project_rollup(self):
        """Time rolls up task -> phase -> project; a ticket's time lands on
        the ticket's phase; time on no phase counts for the project only."""
        self.entry(2.0, task=self.task_a)
        self.entry(1.0, task=self.task_b)
        self.entry(3.0, ticket=self.ticket)  # no task: the ticket's phase
        self.entry(1.0, task=self.task_t)
        self.entry(0.5)  # on the project, no task, no ticket
        self.env.invalidate_all()
        build, test = self.build, self.test_phase
        self.assertEqual(build.msp_planned_hours, 9.0)  # subtask not counted
        self.assertEqual(build.msp_actual_hours, 6.0)
        self.assertAlmostEqual(build.msp_burn_pct, 60.0)
        self.assertEqual(build.msp_burn_state, "green")
        self.assertEqual(test.msp_planned_hours, 4.0)
        self.assertEqual(test.msp_actual_hours, 1.0)
        project = self.project
        self.assertEqual(project.msp_budget_hours, 20.0)
        self.assertEqual(project.msp_planned_hours, 13.0)
        self.assertEqual(project.msp_actual_hours, 7.5)
        self.assertAlmostEqual(project.msp_burn_pct, 37.5)
        self.assertAlmostEqual(project.msp_estimate_accuracy, 100.0 * 7.5 / 13.0)
        # the analysis row says the same
        row = self.env["msp.project.analysis"].search([("project_id", "=", project.id)])
        self.assertEqual(
            (row.budget_hours, row.planned_hours, row.actual_hours),
            (20.0, 13.0, 7.5),
        )
        self.assertEqual(row.client_id, self.client)
        self.assertEqual(row.user_id, self.pm)

    def test_ticket_phase_follows_its_task(self):
        """A ticket on a task takes the task's phase (helpdesk_mgmt_project);
        its time then lands on that phase."""
        self.ticket.task_id = self.task_t
        self.assertEqual(self.ticket.milestone_id, self.test_phase)
        self.entry(2.0, ticket=self.ticket)
        self.env.invalidate_all()
        self.assertEqual(self.test_phase.msp_actual_hours, 2.0)
        self.assertEqual(self.build.msp_actual_hours, 0.0)

    def test_time_of_another_project_does_not_count(self):
        other = self.make_project("Rollup Other")
        self.entry(5.0, project=other)
        self.env.invalidate_all()
        self.assertEqual(self.project.msp_actual_hours, 0.0)
        self.assertEqual(self.build.msp_actual_hours, 0.0)
        self.assertEqual(other.msp_actual_hours, 5.0)

    def test_burn_states(self):
        """Green below 80 %, amber from 80 % to the budget, red over it."""
        for hours, state in ((7.9, "green"), (8.0, "amber"), (10.1, "red")):
            with self.subTest(hours=hours):
                project = self.make_project(f"Burn {hours}")
                phase = project.milestone_ids[0]
                task = self.env["project.task"].create(
                    self.task_vals("Work", phase, 1.0)
                )
                self.entry(hours, task=task)
                self.env.invalidate_all()
                self.assertAlmostEqual(phase.msp_burn_pct, hours * 10)
                self.assertEqual(phase.msp_burn_state, state)
                row = self.env["msp.project.analysis"].search(
                    [("project_id", "=", project.id)]
                )
                # the project has 20 h of budget: half the phase's burn
                self.assertAlmostEqual(row.burn_pct, hours * 5)
        self.assertEqual(burn(10.0, 10.0), (100.0, "amber"))
        self.assertEqual(burn(0.0, 0.0), (0.0, "green"))
        self.assertEqual(burn(1.0, 0.0)[1], "red")  # time on no budget

    def test_query_count_does_not_grow_with_entries(self):
        """The phase and project rollups cost the same number of queries
        for 10 and for 100 time entries."""
        counts = []
        for count in (10, 100):
            project = self.make_project(f"Queries {count}")
            phases = project.milestone_ids
            task = self.env["project.task"].create(
                self.task_vals("Work", phases[0], 8.0)
            )
            self.entries([0.25] * count, task=task)
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            phases.mapped("msp_burn_state")
            project.read(["msp_burn_state"])
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(phases[0].msp_actual_hours, count * 0.25)
        self.assertEqual(counts[0], counts[1], counts)

    def test_phases_in_the_project_form(self):
        """The Phases page lists the milestones with their rollup."""
        arch = self.env["project.project"].get_view(
            self.env.ref("project.edit_project").id
        )["arch"]
        self.assertIn('name="msp_phases"', arch)
        self.assertIn('name="msp_burn_state"', arch)
