# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.tests import TransactionCase


class BillingCase(TransactionCase):
    """A client with a monthly post-paid MSP contract starting on the 15th:
    a base fee, endpoints and M365 Business Premium seats from the asset
    snapshots, 10 included hours with overage at 150."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Run Billing enqueues jobs (queue_job); these tests read the results
        # right after it, so jobs run inline unless a test's context says
        # queue_job__no_delay=False (tests/test_billing_jobs.py), also for
        # calls over HTTP (no context key there)
        cls.startClassPatcher(
            patch(
                "odoo.addons.queue_job.delay.must_run_without_delay",
                new=lambda env: env.context.get("queue_job__no_delay", True),
            )
        )
        env = cls.env
        env.company.msp_time_lock_date = False  # the demo locks past months
        cls.client = env["res.partner"].create(
            {"name": "Billed Client", "is_company": True}
        )
        cls.person = env["res.partner"].create(
            {"name": "Client User", "parent_id": cls.client.id}
        )
        Product = env["product.product"]
        cls.p_base = Product.create(
            {"name": "Managed services base", "type": "service"}
        )
        cls.p_endpoint = Product.create({"name": "Managed endpoint", "type": "service"})
        cls.p_seat = Product.create({"name": "M365 seat", "type": "service"})
        cls.p_overage = Product.create({"name": "Overage hour", "type": "service"})
        cls.p_tm = Product.create({"name": "T&M hour", "type": "service"})
        cls.p_block = Product.create({"name": "10-hour block", "type": "service"})
        cls.team = env["helpdesk.ticket.team"].create({"name": "Billing Desk"})
        cls.project = env["project.project"].create(
            {"name": "Billed Managed Services", "allow_timesheets": True}
        )
        cls.team.default_project_id = cls.project
        cls.tech_user = env["res.users"].create(
            {"name": "Bill Tech", "login": "bill_tech_common"}
        )
        cls.employee = env["hr.employee"].create(
            {"name": "Bill Tech", "user_id": cls.tech_user.id, "hourly_cost": 40.0}
        )
        cls.types = {
            kind: env.ref(f"msp_time.work_type_{kind}")
            for kind in ("included", "billable", "project", "warranty", "internal")
        }
        cls.contract = cls.make_contract(cls.client)

    @classmethod
    def make_contract(cls, client, start=date(2026, 1, 15), lines=None, **terms):
        lines = lines or [
            {"product_id": cls.p_base.id, "name": "Managed services #START# - #END#",
             "quantity": 1, "price_unit": 500.0},
            {"product_id": cls.p_endpoint.id, "name": "Managed endpoints",
             "quantity": 0, "price_unit": 40.0, "msp_qty_source": "assets",
             "msp_billing_class": "endpoint"},
            {"product_id": cls.p_seat.id, "name": "M365 Business Premium",
             "quantity": 0, "price_unit": 22.0, "msp_qty_source": "licences",
             "msp_sku_part_number": "SPB"},
            {"product_id": cls.p_overage.id, "name": "Hours over the included",
             "quantity": 0, "price_unit": 150.0, "msp_qty_source": "overage"},
        ]  # fmt: skip
        values = {
            "name": f"MSP {client.name}",
            "partner_id": client.id,
            "date_start": start,
            "recurring_rule_type": "monthly",
            "recurring_invoicing_type": "post-paid",
            "msp_billing": True,
            "msp_included_hours": 10.0,
            "msp_tm_product_id": cls.p_tm.id,
            "msp_tm_rate": 120.0,
            "line_recurrence": False,
            "contract_line_fixed_ids": [Command.create(line) for line in lines],
        }
        values.update(terms)
        return cls.env["contract.contract"].create(values)

    def asset(self, name, xmlid, client=None, **values):
        """An asset installed on 1 January 2026 unless told otherwise (the
        count of a past day only has the assets installed by then)."""
        return self.env["msp.asset"].create(
            {
                "name": name,
                "client_id": (client or self.client).id,
                "type_id": self.env.ref(f"msp_assets.asset_type_{xmlid}").id,
                "install_date": date(2026, 1, 1),
                **values,
            }
        )

    def snapshot(self, day, client=None):
        return self.env["msp.asset.snapshot"].take(day, client or self.client)

    def ticket(self, client=None, **values):
        return self.env["helpdesk.ticket"].create(
            {
                "name": values.pop("name", "Printer jam"),
                "description": "<p>x</p>",
                "partner_id": (client or self.client).id,
                "team_id": self.team.id,
                "project_id": self.project.id,
                **values,
            }
        )

    def entry(self, ticket, day, hours, kind="included", **values):
        return self.env["account.analytic.line"].create(
            {
                "name": values.pop("name", "Work"),
                "ticket_id": ticket.id,
                "project_id": self.project.id,
                "employee_id": self.employee.id,
                "user_id": self.tech_user.id,
                "date": day,
                "unit_amount": hours,
                "msp_work_type_id": self.types[kind].id,
                **values,
            }
        )

    def bill(self, day, contracts=None):
        run = self.env["msp.billing.run"].create({"billing_date": day})
        if contracts is None:
            run.action_run()
        else:
            run._bill(contracts)
        return run

    def invoice_line(self, run_line, product):
        return run_line.move_id.invoice_line_ids.filtered(
            lambda line: line.product_id == product
        )
