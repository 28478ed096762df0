# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
from datetime import date, datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.msp_base.tests.common import call_kw


@tagged("post_install", "-at_install")
class TestKickoffGate(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pm = new_test_user(
            cls.env,
            login="gate_pm",
            name="Paula PM",
            groups="base.group_user,msp_ticket_project.group_msp_project_manager",
        )
        cls.sm = new_test_user(
            cls.env,
            login="gate_sm",
            name="Sam Service",
            groups="base.group_user,msp_base.group_msp_service_manager",
        )
        cls.tech = new_test_user(
            cls.env,
            login="gate_tech",
            name="Theo Tech",
            groups="base.group_user,msp_base.group_msp_technician",
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "Gate Client Ltd", "is_company": True}
        )
        cls.contact = cls.env["res.partner"].create(
            {
                "name": "Carla Client",
                "parent_id": cls.client.id,
                "email": "carla@gate-client.example",
            }
        )
        cls.stranger = cls.env["res.partner"].create(
            {"name": "Stan Stranger", "email": "stan@elsewhere.example"}
        )
        # Mon-Fri 08-12 + 13-17 in UTC: 8 h a day
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Gate 40h UTC",
                "tz": "UTC",
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"{day} {period}",
                            "dayofweek": str(day),
                            "hour_from": start,
                            "hour_to": stop,
                            "day_period": period,
                        }
                    )
                    for day in range(5)
                    for start, stop, period in (
                        (8, 12, "morning"),
                        (13, 17, "afternoon"),
                    )
                ],
            }
        )
        cls.employee = cls.env["hr.employee"].create(
            {
                "name": "Theo Tech",
                "user_id": cls.tech.id,
                "resource_calendar_id": cls.calendar.id,
                "tz": "UTC",
                "company_id": cls.env.company.id,
            }
        )
        # window: Mon 2030-01-07 .. Fri 2030-01-18 = 10 working days = 80 h
        cls.window = (date(2030, 1, 7), date(2030, 1, 18))

    # ------------------------------------------------------------------
    def _project(self, **vals):
        return self.env["project.project"].create(
            dict(
                {
                    "name": "Tenant Migration",
                    "partner_id": self.client.id,
                    "user_id": self.pm.id,
                    "date_start": self.window[0],
                    "date": self.window[1],
                    "allow_milestones": True,
                    "msp_state": "proposed",
                },
                **vals,
            )
        )

    def _complete_project(self, **vals):
        project = self._project(
            msp_hourly_rate=150.0,
            msp_change_order_terms="Changes priced at the hourly rate, "
            "approved in writing before work starts.",
            **vals,
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": "scope-signed.pdf",
                "datas": base64.b64encode(b"%PDF-1.4 signed scope"),
                "res_model": "project.project",
                "res_id": project.id,
            }
        )
        event = self.env["calendar.event"].create(
            {
                "name": "Kickoff",
                "start": datetime(2030, 1, 7, 9),
                "stop": datetime(2030, 1, 7, 10),
                "partner_ids": [Command.set([self.contact.id, self.pm.partner_id.id])],
            }
        )
        project.write(
            {
                "msp_scope_attachment_id": attachment.id,
                "msp_scope_signed_by_id": self.contact.id,
                "msp_scope_signed_date": date(2029, 12, 20),
                "msp_assumption_ids": [
                    Command.create({"kind": "in_scope", "name": "Mailboxes move"}),
                    Command.create({"kind": "out_of_scope", "name": "Printer fleet"}),
                ],
                "msp_resource_ids": [
                    Command.create(
                        {
                            "user_id": self.tech.id,
                            "planned_hours": 40,
                            "confirmed": True,
                        }
                    )
                ],
                "msp_kickoff_event_id": event.id,
            }
        )
        self.env["project.milestone"].create(
            [
                {
                    "name": "Design",
                    "project_id": project.id,
                    "msp_acceptance_criteria": "<p>Design signed off</p>",
                },
                {
                    "name": "Cutover",
                    "project_id": project.id,
                    "msp_acceptance_criteria": "<p>All mailboxes live</p>",
                },
            ]
        )
        return project

    def _start_as_pm(self, project):
        """A plain write, as an RPC client would send it."""
        project.with_user(self.pm).write({"msp_state": "in_flight"})

    # ------------------------------------------------------------------
    def test_complete_gate_passes(self):
        project = self._complete_project()
        self.assertTrue(project.msp_gate_complete)
        self.assertFalse(project.msp_gate_missing)
        self.assertTrue(
            all(
                project[f"msp_gate_{key}_ok"]
                for key in (
                    "scope",
                    "assumptions",
                    "resources",
                    "terms",
                    "kickoff",
                    "acceptance",
                )
            )
        )
        project.with_user(self.pm).action_msp_start()
        self.assertEqual(project.msp_state, "in_flight")

    def test_empty_gate_names_every_item(self):
        project = self._project()
        self.assertFalse(project.msp_gate_complete)
        with self.assertRaises(ValidationError) as err:
            self._start_as_pm(project)
        message = str(err.exception)
        for expected in (
            "Signed scope document: attach the signed scope document; record "
            "who signed it; record the signing date.",
            "list at least one in-scope assumption",
            "list at least one out-of-scope assumption",
            "Resources: assign at least one resource.",
            "Change-order terms: write the change-order terms; set the hourly "
            "rate change orders are priced at.",
            "Kickoff meeting: schedule the kickoff meeting.",
            "Acceptance criteria: add the project's phases.",
        ):
            self.assertIn(expected, message)
        self.assertIn("Tenant Migration cannot go In Flight", message)
        self.assertEqual(project.msp_state, "proposed")

    def test_each_condition_blocks_with_its_message(self):
        other_attachment_project = self._project(name="Other")
        breakers = {
            "scope document": (
                lambda p: p.write({"msp_scope_attachment_id": False}),
                "Signed scope document: attach the signed scope document.",
                "msp_gate_scope_ok",
            ),
            "signer": (
                lambda p: p.write({"msp_scope_signed_by_id": False}),
                "Signed scope document: record who signed it.",
                "msp_gate_scope_ok",
            ),
            "signer not the client's": (
                lambda p: p.write({"msp_scope_signed_by_id": self.stranger.id}),
                "the signer (Stan Stranger) is not a contact of the client",
                "msp_gate_scope_ok",
            ),
            "signing date": (
                lambda p: p.write({"msp_scope_signed_date": False}),
                "Signed scope document: record the signing date.",
                "msp_gate_scope_ok",
            ),
            "in-scope assumption": (
                lambda p: p.msp_assumption_ids.filtered(
                    lambda a: a.kind == "in_scope"
                ).unlink(),
                "Assumptions: list at least one in-scope assumption.",
                "msp_gate_assumptions_ok",
            ),
            "out-of-scope assumption": (
                lambda p: p.msp_assumption_ids.filtered(
                    lambda a: a.kind == "out_of_scope"
                ).unlink(),
                "Assumptions: list at least one out-of-scope assumption.",
                "msp_gate_assumptions_ok",
            ),
            "no resource": (
                lambda p: p.msp_resource_ids.unlink(),
                "Resources: assign at least one resource.",
                "msp_gate_resources_ok",
            ),
            "unconfirmed resource": (
                lambda p: p.msp_resource_ids.write({"confirmed": False}),
                "Resources: confirm the capacity of Theo Tech.",
                "msp_gate_resources_ok",
            ),
            "terms": (
                lambda p: p.write({"msp_change_order_terms": "  "}),
                "Change-order terms: write the change-order terms.",
                "msp_gate_terms_ok",
            ),
            "rate": (
                lambda p: p.write({"msp_hourly_rate": 0}),
                "Change-order terms: set the hourly rate change orders are priced at.",
                "msp_gate_terms_ok",
            ),
            "kickoff": (
                lambda p: p.write({"msp_kickoff_event_id": False}),
                "Kickoff meeting: schedule the kickoff meeting.",
                "msp_gate_kickoff_ok",
            ),
            "kickoff without the client": (
                lambda p: p.msp_kickoff_event_id.write(
                    {"partner_ids": [Command.set([self.stranger.id])]}
                ),
                "Kickoff meeting: invite at least one of the client's contacts",
                "msp_gate_kickoff_ok",
            ),
            "acceptance criteria": (
                lambda p: p.milestone_ids.filtered(lambda m: m.name == "Cutover").write(
                    {"msp_acceptance_criteria": "<p><br></p>"}
                ),
                "Acceptance criteria: write them on Cutover.",
                "msp_gate_acceptance_ok",
            ),
            "no phase": (
                lambda p: p.milestone_ids.unlink(),
                "Acceptance criteria: add the project's phases.",
                "msp_gate_acceptance_ok",
            ),
        }
        for name, (breaker, expected, ok_field) in breakers.items():
            with self.subTest(name):
                project = self._complete_project(name=f"Gate {name}")
                self.assertTrue(project.msp_gate_complete)
                breaker(project)
                self.assertFalse(project[ok_field])
                self.assertFalse(project.msp_gate_complete)
                self.assertIn(expected, project.msp_gate_missing)
                with self.assertRaises(ValidationError) as err:
                    self._start_as_pm(project)
                self.assertIn(expected, str(err.exception))
                # only that item is reported
                self.assertEqual(str(err.exception).count("\n- "), 1)
                self.assertEqual(project.msp_state, "proposed")
        # a document attached to another project is not this one's scope
        foreign = self.env["ir.attachment"].create(
            {
                "name": "other.pdf",
                "datas": base64.b64encode(b"x"),
                "res_model": "project.project",
                "res_id": other_attachment_project.id,
            }
        )
        project = self._complete_project(name="Foreign scope")
        with self.assertRaises(ValidationError):
            project.write({"msp_scope_attachment_id": foreign.id})

    def test_capacity_against_calendar_and_leaves(self):
        """10 working days x 8 h = 80 h; a personal leave on Wednesday
        (-8 h) and a public holiday on the last Friday (-8 h) leave 64 h;
        10 h planned on another in-flight project overlapping the window
        leave a capacity of 54 h."""
        project = self._complete_project()
        self.env["resource.calendar.leaves"].create(
            [
                {
                    "name": "Dentist and day off",
                    "calendar_id": self.calendar.id,
                    "resource_id": self.employee.resource_id.id,
                    "date_from": datetime(2030, 1, 9, 0, 0),
                    "date_to": datetime(2030, 1, 9, 23, 59, 59),
                },
                {
                    "name": "Public holiday",
                    "calendar_id": self.calendar.id,
                    "date_from": datetime(2030, 1, 18, 0, 0),
                    "date_to": datetime(2030, 1, 18, 23, 59, 59),
                },
            ]
        )
        # another project, in flight (system write), overlapping the window
        other = self._project(
            name="Other In Flight",
            date_start=date(2030, 1, 14),
            date=date(2030, 2, 28),
        )
        other.msp_state = "in_flight"
        self.env["msp.project.resource"].create(
            {"project_id": other.id, "user_id": self.tech.id, "planned_hours": 10}
        )
        # and one outside the window, which does not count
        later = self._project(
            name="Later", date_start=date(2030, 3, 1), date=date(2030, 3, 31)
        )
        later.msp_state = "in_flight"
        self.env["msp.project.resource"].create(
            {"project_id": later.id, "user_id": self.tech.id, "planned_hours": 30}
        )
        project.invalidate_recordset()
        resource = project.msp_resource_ids
        resource.invalidate_recordset()
        self.assertAlmostEqual(resource.available_hours, 64.0)
        self.assertAlmostEqual(resource.other_project_hours, 10.0)
        self.assertAlmostEqual(resource.capacity_hours, 54.0)
        self.assertFalse(resource.over_capacity)
        self.assertTrue(project.msp_gate_complete)

        # over capacity: 60 h planned against 54 h
        resource.write({"planned_hours": 60, "confirmed": True})
        self.assertTrue(resource.over_capacity)
        project.invalidate_recordset()
        self.assertFalse(project.msp_gate_resources_ok)
        with self.assertRaises(ValidationError) as err:
            self._start_as_pm(project)
        self.assertIn(
            "Theo Tech is planned for 60.0 h but has 54.0 h available",
            str(err.exception),
        )
        # changing the planned hours clears the confirmation
        resource.planned_hours = 50
        self.assertFalse(resource.confirmed)

    def test_capacity_without_employee_uses_company_calendar(self):
        project = self._complete_project()
        resource = self.env["msp.project.resource"].create(
            {"project_id": project.id, "user_id": self.pm.id, "planned_hours": 1}
        )
        calendar = self.env.company.resource_calendar_id
        self.assertTrue(calendar)
        self.assertGreater(resource.available_hours, 0)
        self.assertLessEqual(resource.available_hours, 80.0)

    def test_create_in_flight_is_gated(self):
        with self.assertRaises(ValidationError):
            self.env["project.project"].with_user(self.pm).create(
                {
                    "name": "Straight In",
                    "partner_id": self.client.id,
                    "msp_state": "in_flight",
                }
            )

    def test_internal_and_template_projects_are_not_gated(self):
        internal = self.env["project.project"].create({"name": "Service Desk"})
        internal.with_user(self.pm).write({"name": "Service Desk (EU)"})
        self.assertFalse(internal.msp_state)
        # ... but it cannot jump straight In Flight past the gate
        with self.assertRaises(ValidationError):
            self._start_as_pm(internal)
        template = self._project(name="Managed IT (TEMPLATE)", is_template=True)
        self._start_as_pm(template)
        self.assertEqual(template.msp_state, "in_flight")
        # a started project may come back from hypercare without the gate
        project = self._complete_project()
        self._start_as_pm(project)
        project.with_user(self.pm).action_msp_hypercare()
        project.msp_resource_ids.unlink()
        self._start_as_pm(project)
        self.assertEqual(project.msp_state, "in_flight")

    def test_override_by_service_manager_is_logged(self):
        project = self._project()
        action = project.with_user(self.sm).action_msp_override_gate()
        self.assertEqual(action["res_model"], "msp.gate.override")
        wizard = (
            self.env["msp.gate.override"]
            .with_user(self.sm)
            .with_context(**action["context"])
            .create({"reason": "Client's CEO signed the PO; scope follows."})
        )
        self.assertIn("Assumptions:", wizard.gate_missing)
        wizard.action_confirm()
        self.assertEqual(project.msp_state, "in_flight")
        self.assertEqual(
            project.msp_gate_override_reason,
            "Client's CEO signed the PO; scope follows.",
        )
        self.assertEqual(project.msp_gate_override_by_id, self.sm)
        self.assertTrue(project.msp_gate_override_date)
        note = project.message_ids.filtered(
            lambda m: "Kickoff gate overridden" in (m.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertIn("CEO signed the PO; scope follows.", note.body)
        self.assertIn("Sam Service", note.body)
        self.assertEqual(note.author_id, self.sm.partner_id)

    def test_override_refused_to_others(self):
        project = self._project()
        for user in (self.pm, self.tech):
            with self.subTest(user.login):
                with self.assertRaises(AccessError):
                    project.with_user(user).action_msp_override_gate()
                with self.assertRaises(AccessError):
                    self.env["msp.gate.override"].with_user(user).create(
                        {"project_id": project.id, "reason": "Because"}
                    )
        # nor can the override fields be written directly
        with self.assertRaises(AccessError):
            project.with_user(self.pm).write(
                {
                    "msp_gate_override_reason": "I say so",
                    "msp_state": "in_flight",
                }
            )
        self.assertEqual(project.msp_state, "proposed")
        self.assertFalse(project.msp_gate_override_reason)

    def test_override_needs_a_reason(self):
        project = self._project()
        wizard = (
            self.env["msp.gate.override"]
            .with_user(self.sm)
            .create({"project_id": project.id, "reason": "   "})
        )
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertEqual(project.msp_state, "proposed")

    def test_schedule_kickoff_links_the_meeting(self):
        project = self._complete_project()
        project.msp_kickoff_event_id = False
        action = project.with_user(self.pm).action_msp_schedule_kickoff()
        self.assertIn(self.contact.id, action["context"]["default_partner_ids"])
        self.assertIn(self.tech.partner_id.id, action["context"]["default_partner_ids"])
        event = (
            self.env["calendar.event"]
            .with_user(self.pm)
            .with_context(**action["context"])
            .create(
                {
                    "start": datetime(2030, 1, 7, 9),
                    "stop": datetime(2030, 1, 7, 10),
                }
            )
        )
        self.assertEqual(project.msp_kickoff_event_id, event)
        self.assertIn(self.contact, event.partner_ids)
        self.assertTrue(project.msp_gate_kickoff_ok)

    def test_technician_reads_gate_records_of_their_projects(self):
        project = self._complete_project()
        self.assertTrue(project.msp_assumption_ids.with_user(self.tech).read(["name"]))
        self.assertTrue(project.msp_resource_ids.with_user(self.tech).read(["user_id"]))
        with self.assertRaises(AccessError):
            project.msp_assumption_ids[:1].with_user(self.tech).write(
                {"name": "Changed"}
            )
        with self.assertRaises(AccessError):
            self.env["msp.project.resource"].with_user(self.tech).create(
                {"project_id": project.id, "user_id": self.tech.id}
            )
        portal = new_test_user(
            self.env, login="gate_portal", groups="base.group_portal"
        )
        with self.assertRaises(AccessError):
            project.msp_assumption_ids.with_user(portal).read(["name"])

    def test_resource_confirmation_records_who_and_when(self):
        project = self._project()
        Resource = self.env["msp.project.resource"].with_user(self.pm)
        tech = Resource.create(
            {"project_id": project.id, "user_id": self.tech.id, "planned_hours": 40}
        )
        self.assertFalse(project.msp_resources_confirmed_by)
        self.assertFalse(project.msp_resources_confirmed_date)
        tech.confirmed = True
        self.assertEqual(project.msp_resources_confirmed_by, self.pm)
        self.assertTrue(project.msp_resources_confirmed_date)
        # an unconfirmed resource joins: not all confirmed any more
        manager = Resource.create(
            {"project_id": project.id, "user_id": self.sm.id, "planned_hours": 8}
        )
        self.assertFalse(project.msp_resources_confirmed_by)
        self.assertFalse(project.msp_resources_confirmed_date)
        manager.with_user(self.sm).confirmed = True
        self.assertEqual(project.msp_resources_confirmed_by, self.sm)
        # changing the planned hours withdraws that confirmation
        tech.planned_hours = 30
        self.assertFalse(tech.confirmed)
        self.assertFalse(project.msp_resources_confirmed_by)
        tech.confirmed = True
        self.assertEqual(project.msp_resources_confirmed_by, self.pm)
        # withdrawn by hand
        manager.confirmed = False
        self.assertFalse(project.msp_resources_confirmed_by)
        self.assertFalse(project.msp_resources_confirmed_date)
        # removing the unconfirmed one: all confirmed, stamped
        manager.with_user(self.pm).unlink()
        self.assertEqual(project.msp_resources_confirmed_by, self.pm)
        # system fields: only the confirm action writes them
        for vals in (
            {"msp_resources_confirmed_by": self.tech.id},
            {"msp_resources_confirmed_date": "2030-01-01 00:00:00"},
        ):
            with self.assertRaisesRegex(AccessError, "set by the system"):
                project.with_user(self.pm).write(vals)
        self.assertFalse(project.copy().msp_resources_confirmed_by)
        # shown on the Kickoff Gate tab
        views = project.with_user(self.pm).get_views([(False, "form")])
        arch = views["views"]["form"]["arch"]
        self.assertIn('name="msp_resources_confirmed_by"', arch)
        self.assertIn('name="msp_resources_confirmed_date"', arch)


@tagged("post_install", "-at_install")
class TestKickoffGateRpc(HttpCase):
    """The gate and the override hold over JSON-RPC, the way the web client
    and integrations reach the server."""

    def test_rpc_cannot_skip_the_gate(self):
        new_test_user(
            self.env,
            login="gate_rpc_pm",
            password="gate_rpc_pm_pw",
            groups="base.group_user,msp_ticket_project.group_msp_project_manager",
        )
        client = self.env["res.partner"].create(
            {"name": "RPC Client", "is_company": True}
        )
        project = self.env["project.project"].create(
            {"name": "RPC Project", "partner_id": client.id, "msp_state": "proposed"}
        )
        self.authenticate("gate_rpc_pm", "gate_rpc_pm_pw")
        for model, method, args, error in (
            (
                "project.project",
                "write",
                [project.ids, {"msp_state": "in_flight"}],
                "odoo.exceptions.ValidationError",
            ),
            (
                "project.project",
                "create",
                [{"name": "Straight In", "msp_state": "in_flight"}],
                "odoo.exceptions.ValidationError",
            ),
            (
                "project.project",
                "write",
                [
                    project.ids,
                    {
                        "msp_gate_override_reason": "I say so",
                        "msp_gate_override_date": "2030-01-01 00:00:00",
                        "msp_state": "in_flight",
                    },
                ],
                "odoo.exceptions.AccessError",
            ),
            (
                "msp.gate.override",
                "create",
                [{"project_id": project.id, "reason": "I say so"}],
                "odoo.exceptions.AccessError",
            ),
            (
                "project.project",
                "action_msp_override_gate",
                [project.ids],
                "odoo.exceptions.AccessError",
            ),
        ):
            with self.subTest(f"{model}.{method}"):
                with self.assertRaises(JsonRpcException) as caught:
                    call_kw(self, model, method, *args)
                self.assertEqual(caught.exception.args[0], error)
        project.invalidate_recordset()
        self.assertEqual(project.msp_state, "proposed")
        self.assertFalse(project.msp_gate_override_reason)
        # an ordinary edit of the proposed project goes through
        call_kw(self, "project.project", "write", project.ids, {"name": "RPC P2"})
        project.invalidate_recordset()
        self.assertEqual(project.name, "RPC P2")
