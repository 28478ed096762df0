# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Companies and system fields, tried over real JSON-RPC as each role."""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.msp_base.tests.common import COMPANY_RULE_EXEMPT, call_kw

ACCESS_ERROR = "odoo.exceptions.AccessError"


@tagged("post_install", "-at_install")
class TestCompanyRules(TransactionCase):
    """Every msp model holding company data is scoped by a company rule."""

    def test_every_msp_model_has_a_company_rule(self):
        Rule = self.env["ir.rule"].sudo()
        problems, checked = [], []
        for name in sorted(self.env.registry.models):
            model = self.env[name]
            if not name.startswith("msp.") or model._abstract or model._transient:
                continue
            if name in COMPANY_RULE_EXEMPT:
                continue
            checked.append(name)
            if "company_id" not in model._fields:
                problems.append(f"{name}: no company_id")
                continue
            rules = Rule.search([("model_id.model", "=", name), ("global", "=", True)])
            if not any("company_ids" in (rule.domain_force or "") for rule in rules):
                problems.append(f"{name}: no global company rule")
        self.assertEqual(problems, [])
        for name in ("msp.intake.source", "msp.oncall.member", "msp.sla.pause"):
            self.assertIn(name, checked)

    def test_exemptions_hold_no_company_data(self):
        for name in COMPANY_RULE_EXEMPT:
            if name in self.env.registry.models:
                self.assertNotIn("company_id", self.env[name]._fields, name)


@tagged("post_install", "-at_install")
class TestSecondCompany(HttpCase):
    """A user of a second company reaches none of the first one's data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Second MSP"})
        cls.manager_b = new_test_user(
            cls.env,
            login="cb_manager",
            password="cb_manager_pw",
            groups="base.group_user,msp_base.group_msp_service_manager",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )
        cls.source = cls.env["msp.intake.source"].create(
            {
                "name": "CB source",
                "code": "cb-source",
                "auth_mode": "hmac",
                "secret": "company-a-secret",
                "token": "company-a-token",
            }
        )
        client = cls.env["res.partner"].create({"name": "CB Client", "is_company": 1})
        cls.client_map = cls.env["msp.intake.client.map"].create(
            {
                "source_id": cls.source.id,
                "kind": "site",
                "value": "HQ",
                "partner_id": client.id,
            }
        )
        cls.event = cls.env["msp.intake.event"].create(
            {"source_id": cls.source.id, "status": 401, "outcome": "rejected"}
        )
        rotation = cls.env["msp.oncall.rotation"].create({"name": "CB rotation"})
        cls.member = cls.env["msp.oncall.member"].create(
            {"rotation_id": rotation.id, "user_id": cls.env.user.id}
        )
        now = fields.Datetime.now()
        cls.override = cls.env["msp.oncall.override"].create(
            {
                "rotation_id": rotation.id,
                "user_id": cls.env.user.id,
                "date_from": now,
                "date_to": now + timedelta(days=1),
            }
        )
        cls.call = cls.env["msp.phone.call"].create(
            {
                "caller_number": "+1 937 555 0199",
                "subject": "CB call",
                "duration_minutes": 5,
            }
        )

    def test_company_data_follows_its_parent(self):
        for record in (
            self.client_map,
            self.event,
            self.member,
            self.override,
            self.source.mapping_ids[:1],
        ):
            self.assertEqual(record.company_id, self.company_a, record._name)

    def test_second_company_reads_and_writes_nothing(self):
        self.authenticate("cb_manager", "cb_manager_pw")
        # secrets: neither read nor overwritten
        for method, args in (
            ("read", [[self.source.id], ["token", "secret"]]),
            ("write", [[self.source.id], {"secret": "stolen", "token": "stolen"}]),
        ):
            with self.assertRaises(JsonRpcException) as caught:
                call_kw(self, "msp.intake.source", method, *args)
            self.assertEqual(caught.exception.args[0], ACCESS_ERROR)
        self.assertEqual(self.source.secret, "company-a-secret")
        for record in (
            self.client_map,
            self.event,
            self.member,
            self.override,
            self.call,
            self.source.mapping_ids[:1],
        ):
            with self.assertRaises(JsonRpcException, msg=record._name):
                call_kw(self, record._name, "read", [record.id], ["display_name"])
            with self.assertRaises(JsonRpcException, msg=record._name):
                call_kw(self, record._name, "write", [record.id], {})
        # and no search shows any of company A's rows, in any msp model
        for name in sorted(self.env.registry.models):
            model = self.env[name]
            if (
                not name.startswith("msp.")
                or model._abstract
                or model._transient
                or "company_id" not in model._fields
                or not model.with_user(self.manager_b).has_access("read")
            ):
                continue
            rows = call_kw(
                self,
                name,
                "search_read",
                [("company_id", "=", self.company_a.id)],
                ["id"],
            )
            self.assertEqual(rows, [], name)


@tagged("post_install", "-at_install")
class TestSystemFields(HttpCase):
    """Fields only the system writes are refused over RPC to every role."""

    TICKET_FIELDS = {
        "msp_sla_status": "met",
        "msp_sla_breached": False,
        "msp_sla_response_status": "met",
        "msp_sla_resolution_deadline": "2099-01-01 00:00:00",
        "msp_sla_deadline": "2099-01-01 00:00:00",
        "msp_alert_count": 99,
        "msp_alert_key": "forged",
        "msp_claimed_date": "2020-01-01 00:00:00",
        "msp_routed_date": "2020-01-01 00:00:00",
        "msp_time_to_route": 0.0,
        "msp_contract_id": False,
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {}
        for role in ("technician", "dispatcher", "service_manager", "billing"):
            cls.users[role] = new_test_user(
                cls.env,
                login=f"sf_{role}",
                password=f"sf_{role}_pw",
                groups=f"base.group_user,msp_base.group_msp_{role}",
            )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {"name": "SF team", "user_ids": [(6, 0, cls.users["technician"].ids)]}
        )
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "SF ticket",
                "description": "<p>x</p>",
                "team_id": cls.team.id,
                "user_id": cls.users["technician"].id,
            }
        )

    def test_ticket_system_fields_refused_for_every_role(self):
        before = self.ticket.read(list(self.TICKET_FIELDS))[0]
        for role, user in self.users.items():
            self.authenticate(user.login, f"sf_{role}_pw")
            for name, value in self.TICKET_FIELDS.items():
                with self.assertRaises(JsonRpcException, msg=f"{role} {name}") as c:
                    call_kw(
                        self,
                        "helpdesk.ticket",
                        "write",
                        [self.ticket.id],
                        {name: value},
                    )
                self.assertEqual(c.exception.args[0], ACCESS_ERROR, f"{role} {name}")
            with self.assertRaises(JsonRpcException, msg=role):
                call_kw(
                    self,
                    "helpdesk.ticket",
                    "create",
                    {
                        "name": "forged",
                        "description": "<p>x</p>",
                        "team_id": self.team.id,
                        "msp_sla_status": "met",
                        "msp_alert_count": 5,
                    },
                )
        self.ticket.invalidate_recordset()
        self.assertEqual(self.ticket.read(list(self.TICKET_FIELDS))[0], before)
        # the fields anyone may edit still save
        self.authenticate("sf_technician", "sf_technician_pw")
        call_kw(
            self,
            "helpdesk.ticket",
            "write",
            [self.ticket.id],
            {"name": "SF ticket renamed"},
        )
        self.assertEqual(self.ticket.name, "SF ticket renamed")

    def test_claim_still_stamps_its_date(self):
        self.authenticate("sf_technician", "sf_technician_pw")
        call_kw(self, "helpdesk.ticket", "action_msp_claim", [self.ticket.id])
        self.assertTrue(self.ticket.msp_claimed_date)
        self.assertEqual(self.ticket.msp_claimed_by_id, self.users["technician"])

    def test_billed_hours_of_time_entries_are_the_systems(self):
        user = self.users["technician"]
        self.env["hr.employee"].create({"name": "SF tech", "user_id": user.id})
        project = self.env["project.project"].create({"name": "SF project"})
        entry = (
            self.env["account.analytic.line"]
            .with_user(user)
            .create({"name": "work", "project_id": project.id, "unit_amount": 0.1})
        )
        billed = entry.msp_billed_hours
        self.authenticate("sf_technician", "sf_technician_pw")
        for name, value in (
            ("msp_billed_hours", 0.0),
            ("msp_rounding_hours", 0.0),
            ("msp_client_id", False),
        ):
            with self.assertRaises(JsonRpcException, msg=name) as caught:
                call_kw(
                    self, "account.analytic.line", "write", [entry.id], {name: value}
                )
            self.assertEqual(caught.exception.args[0], ACCESS_ERROR)
        entry.invalidate_recordset()
        self.assertEqual(entry.msp_billed_hours, billed)
        # nor on create, even as a "default-looking" 0 (it would stop the
        # computation: the entry would bill nothing)
        with self.assertRaises(JsonRpcException) as caught:
            call_kw(
                self,
                "account.analytic.line",
                "create",
                {
                    "name": "free work",
                    "project_id": project.id,
                    "unit_amount": 2.0,
                    "msp_billed_hours": 0.0,
                },
            )
        self.assertEqual(caught.exception.args[0], ACCESS_ERROR)
        call_kw(
            self, "account.analytic.line", "write", [entry.id], {"unit_amount": 0.5}
        )
        self.assertEqual(entry.unit_amount, 0.5)
