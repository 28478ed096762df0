# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import MspTimeCase


@tagged("post_install", "-at_install")
class TestWorkType(MspTimeCase):
    def test_shipped_work_types_and_categories(self):
        kinds = {
            xmlid: self.env.ref(f"msp_time.{xmlid}").kind
            for xmlid in (
                "work_type_included",
                "work_type_billable",
                "work_type_project",
                "work_type_warranty",
                "work_type_internal",
            )
        }
        self.assertEqual(
            kinds,
            {
                "work_type_included": "included",
                "work_type_billable": "billable",
                "work_type_project": "project",
                "work_type_warranty": "warranty",
                "work_type_internal": "internal",
            },
        )
        names = set(self.env["msp.time.category"].search([]).mapped("name"))
        self.assertLessEqual(
            {
                "Ticket resolution",
                "Monitoring and maintenance",
                "Client communication",
                "Escalation support",
                "Process improvement",
                "Billing review",
            },
            names,
        )

    def test_company_default_explained(self):
        line = self._entry()
        self.assertEqual(line.msp_work_type_id, self.included)
        self.assertEqual(line.msp_work_kind, "included")
        self.assertEqual(line.msp_work_type_reason, "Company default")
        self.assertEqual(line.msp_client_id, self.client)

    def test_category_default_beats_client_and_company(self):
        self.category.msp_work_type_id = self.billable
        self.client.msp_work_type_id = self.warranty
        ticket = self._ticket("Install accounting app", category_id=self.category.id)
        line = self._entry(ticket=ticket)
        self.assertEqual(line.msp_work_type_id, self.billable)
        self.assertIn("Time Category", line.msp_work_type_reason)

    def test_client_default(self):
        self.client.msp_work_type_id = self.billable
        line = self._entry()
        self.assertEqual(line.msp_work_type_id, self.billable)
        self.assertIn("Time Client Inc", line.msp_work_type_reason)

    def test_project_task_defaults_to_project_delivery(self):
        task = self.env["project.task"].create(
            {"name": "Migrate file server", "project_id": self.project.id}
        )
        line = self.Line.with_user(self.tech).create(
            {
                "name": "Copy shares",
                "task_id": task.id,
                "project_id": self.project.id,
                "unit_amount": 2,
            }
        )
        self.assertEqual(line.msp_work_type_id, self.project_kind)
        self.assertEqual(line.msp_work_type_reason, "Project task")
        self.project.msp_work_type_id = self.internal
        line2 = self._entry(hours=1)
        self.assertEqual(line2.msp_work_type_id, self.internal)
        self.assertIn("Time Support", line2.msp_work_type_reason)

    def test_contract_hook_is_consulted_first(self):
        """Billing extends _msp_default_work_type with the client's contract
        (msp_time does not depend on contract): the hook's answer wins over
        category and company and its reason is kept on the entry."""
        self.category.msp_work_type_id = self.billable
        ticket = self._ticket("Contract covered", category_id=self.category.id)
        Line = type(self.Line)
        original = Line._msp_default_work_type
        warranty = self.warranty

        def contract_first(line):
            if line.ticket_id == ticket:
                return warranty, "Contract MSP-001"
            return original(line)

        with patch.object(Line, "_msp_default_work_type", contract_first):
            line = self._entry(ticket=ticket)
            self.assertEqual(line.msp_work_type_id, self.warranty)
            self.assertEqual(line.msp_work_type_reason, "Contract MSP-001")

    def test_chosen_type_is_kept_and_explained(self):
        line = self._entry(msp_work_type_id=self.warranty.id)
        self.assertEqual(line.msp_work_type_id, self.warranty)
        self.assertEqual(line.msp_work_type_reason, "Chosen on the entry")

    @mute_logger("odoo.models")
    def test_rpc_create_without_any_default_is_refused(self):
        self.company.msp_work_type_id = False
        with self.assertRaisesRegex(ValidationError, "needs a work type"):
            self._entry()
        # and clearing the type of an entry is refused too
        self.company.msp_work_type_id = self.included
        line = self._entry()
        with self.assertRaisesRegex(ValidationError, "needs a work type"):
            line.with_user(self.tech).write({"msp_work_type_id": False})

    def _entry_form(self):
        return Form(
            self.Line.with_user(self.tech).with_context(
                default_ticket_id=self.ticket.id,
                default_project_id=self.project.id,
            ),
            view="msp_time.aal_view_form_entry",
        )

    def test_ui_create_fills_the_default_and_refuses_none(self):
        form = self._entry_form()
        # the default shows before saving, with where it came from
        self.assertEqual(form.msp_work_type_id, self.included)
        self.assertEqual(form.msp_work_type_reason, "Company default")
        form.name = "Replaced toner"
        form.unit_amount = 0.5
        line = form.save()
        self.assertEqual(line.msp_work_type_id, self.included)
        self.assertEqual(line.msp_billed_hours, 0.5)
        form = self._entry_form()
        form.msp_work_type_id = self.billable
        self.assertEqual(form.msp_work_type_reason, "Chosen on the entry")
        # no default anywhere: the form cannot be saved
        self.company.msp_work_type_id = False
        form = self._entry_form()
        form.name = "No type"
        form.unit_amount = 0.5
        self.assertFalse(form.msp_work_type_id)
        with self.assertRaisesRegex(AssertionError, "msp_work_type_id"):
            form.save()

    def test_import_needs_a_type(self):
        fields_ = ["name", "project_id/.id", "ticket_id/.id", "unit_amount", "date"]
        row = [
            "Imported",
            str(self.project.id),
            str(self.ticket.id),
            "1.5",
            str(self._today()),
        ]
        result = self.Line.with_user(self.tech).load(fields_, [row])
        self.assertFalse(result["messages"])
        line = self.Line.browse(result["ids"])
        self.assertEqual(line.msp_work_type_id, self.included)
        # an explicit type by name imports as such
        result = self.Line.with_user(self.tech).load(
            [*fields_, "msp_work_type_id"], [[*row, "Billable (out of scope / T&M)"]]
        )
        imported = self.Line.browse(result["ids"])
        self.assertEqual(imported.msp_work_type_id, self.billable)
        self.company.msp_work_type_id = False
        with mute_logger("odoo.models", "odoo.sql_db"):
            result = self.Line.with_user(self.tech).load(fields_, [row])
        self.assertFalse(result["ids"])
        self.assertIn("needs a work type", result["messages"][0]["message"])

    def test_invoice_analytic_lines_need_no_type(self):
        line = self.Line.create(
            {"name": "Invoice share", "account_id": self.project.account_id.id}
        )
        self.assertFalse(line.msp_work_type_id)
        self.assertFalse(line.msp_billed_hours)
