# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, tagged

PHASES = ["Discovery", "Design", "Build", "Test", "Cutover", "Hypercare"]


@tagged("post_install", "-at_install")
class TestPhases(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.env.ref("msp_ticket_project.project_template_managed_it")

    def test_template_has_the_phases(self):
        """The default template: six phases in order, each with a budget and
        acceptance criteria, tasks with estimates; only Hypercare is the
        hypercare phase."""
        template = self.template
        self.assertTrue(template.is_template)
        self.assertTrue(template.allow_milestones)
        self.assertEqual(template.name, "Managed IT Project (TEMPLATE)")
        phases = template.milestone_ids.sorted()
        self.assertEqual(phases.mapped("name"), PHASES)
        self.assertTrue(all(phase.msp_budget_hours > 0 for phase in phases))
        self.assertTrue(all(phase.msp_acceptance_criteria for phase in phases))
        self.assertEqual(
            phases.filtered("msp_is_hypercare").mapped("name"), ["Hypercare"]
        )
        for phase in phases:
            self.assertTrue(phase.task_ids, phase.name)
            self.assertTrue(all(t.allocated_hours > 0 for t in phase.task_ids))
        self.env.invalidate_all()
        self.assertEqual(template.msp_budget_hours, 90.0)
        self.assertEqual(template.msp_planned_hours, 90.0)

    def test_project_from_template_copies_phases_and_maps_tasks(self):
        """create_project_from_template (OCA project_template) copies the
        phases with their budgets and acceptance criteria and puts each task
        on the new project's copy of its phase; the template is untouched."""
        template = self.template
        template_tasks = template.task_ids
        action = template.create_project_from_template()
        project = self.env["project.project"].browse(action["res_id"])
        self.assertNotEqual(project, template)
        self.assertFalse(project.is_template)
        self.assertEqual(project.name, "Managed IT Project (COPY)")
        self.assertEqual(project.msp_state, "proposed")
        self.assertTrue(project.allow_milestones)
        phases = project.milestone_ids.sorted()
        self.assertEqual(phases.mapped("name"), PHASES)
        self.assertFalse(phases & template.milestone_ids)
        for new, old in zip(phases, template.milestone_ids.sorted(), strict=True):
            self.assertEqual(new.msp_budget_hours, old.msp_budget_hours)
            self.assertEqual(new.msp_sequence, old.msp_sequence)
            self.assertEqual(new.msp_is_hypercare, old.msp_is_hypercare)
            self.assertEqual(new.msp_acceptance_criteria, old.msp_acceptance_criteria)
        self.assertEqual(len(project.task_ids), len(template_tasks))
        for task in project.task_ids:
            self.assertEqual(task.milestone_id.project_id, project, task.name)
            old = template_tasks.filtered(lambda t, task=task: t.name == task.name)
            self.assertEqual(task.milestone_id.name, old.milestone_id.name)
            self.assertEqual(task.allocated_hours, old.allocated_hours)
        # the template keeps its own phases and tasks
        self.assertEqual(template.milestone_ids.task_ids, template_tasks)
        self.assertEqual(len(template.milestone_ids), 6)
        self.env.invalidate_all()
        self.assertEqual(project.msp_budget_hours, template.msp_budget_hours)
        self.assertEqual(project.msp_planned_hours, template.msp_planned_hours)

    def test_template_not_in_the_analysis(self):
        rows = self.env["msp.project.analysis"].search(
            [("project_id", "=", self.template.id)]
        )
        self.assertFalse(rows)
