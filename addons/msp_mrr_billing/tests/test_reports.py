# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import io
from datetime import date, datetime

import openpyxl
from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.msp_base.tests.common import assert_menus_for_role, role_user

from .common import BillingCase

JAN = date(2026, 1, 1)
FEB = date(2026, 2, 1)
REPORTS = (
    "msp.mrr.report",
    "msp.wip.report",
    "msp.realization.report",
    "msp.contract.profitability.report",
)


@tagged("post_install", "-at_install")
class TestBillingReports(BillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.tech2_user = env["res.users"].create(
            {"name": "Report Tech", "login": "report_tech_two"}
        )
        cls.employee2 = env["hr.employee"].create(
            {"name": "Report Tech", "user_id": cls.tech2_user.id, "hourly_cost": 60.0}
        )
        cls.billing_user = role_user(env, "rep_billing", "group_msp_billing")

    def partner(self, name):
        return self.env["res.partner"].create({"name": name, "is_company": True})

    def base_only(self, client, price, start=date(2026, 1, 15)):
        return self.make_contract(
            client,
            start=start,
            lines=[
                {"product_id": self.p_base.id, "name": "Base", "quantity": 1,
                 "price_unit": price},
            ],
        )  # fmt: skip

    def rows(self, model, clients):
        return self.env[model].search([("client_id", "in", clients.ids)])

    # -- MRR ---------------------------------------------------------------
    def test_a_quarterly_cycle_is_spread_over_its_months(self):
        client = self.partner("Quarterly Client")
        contract = self.make_contract(
            client,
            recurring_rule_type="quarterly",
            lines=[
                {"product_id": self.p_base.id, "name": "Base", "quantity": 1,
                 "price_unit": 900.0},
            ],
        )  # fmt: skip
        line = self.bill(date(2026, 4, 15), contract).line_ids
        self.assertEqual(
            (line.period_start, line.period_end), (date(2026, 1, 15), date(2026, 4, 14))
        )
        # the months the company bills later (the demo's runs) show this
        # client as churned: not this test's subject
        rows = self.rows("msp.mrr.report", client).filtered(
            lambda r: r.month <= date(2026, 3, 1)
        )
        self.assertEqual(
            [(r.month, r.mrr, r.movement) for r in rows.sorted("month")],
            [
                (date(2026, 1, 1), 300.0, "new"),
                (date(2026, 2, 1), 300.0, "flat"),
                (date(2026, 3, 1), 300.0, "flat"),
            ],
        )

    def test_a_partial_first_cycle_is_new_mrr_of_the_whole_fee(self):
        client = self.partner("Mid-month Client")
        contract = self.make_contract(
            client,
            start=date(2026, 1, 10),
            msp_billing_day=1,
            lines=[
                {"product_id": self.p_base.id, "name": "Base", "quantity": 1,
                 "price_unit": 500.0},
                {"product_id": self.p_endpoint.id, "name": "Endpoints",
                 "quantity": 16, "price_unit": 40.0},
            ],
        )  # fmt: skip
        first = self.bill(date(2026, 2, 1), contract).line_ids
        self.assertEqual(first.amount_untaxed, 0.71 * 500 + 11.35 * 40)  # 22/31
        self.bill(date(2026, 3, 1), contract)
        # the months the company bills later (the demo's runs) show this
        # client as churned: not this test's subject
        rows = self.rows("msp.mrr.report", client).filtered(
            lambda r: r.month <= date(2026, 2, 1)
        )
        self.assertEqual(
            [(r.month, round(r.mrr, 2), r.movement) for r in rows.sorted("month")],
            [(date(2026, 1, 1), 1140.0, "new"), (date(2026, 2, 1), 1140.0, "flat")],
        )

    def test_mrr_movements_and_net_change(self):
        # A grows from 3 to 5 endpoints (and has T&M work, not recurring)
        for n in range(3):
            self.asset(f"A-WS{n}", "workstation")
        self.asset("A-S1", "m365_license", sku_part_number="SPB")
        self.asset("A-S2", "m365_license", sku_part_number="SPB")
        self.snapshot(date(2026, 2, 14))
        self.entry(self.ticket(), date(2026, 2, 1), 1.0, kind="billable")
        # B leaves after its first cycle
        b_client = self.partner("Churned Client")
        b = self.make_contract(b_client)
        b.contract_line_ids.write({"date_end": date(2026, 2, 14)})
        # C starts on 15 February
        c_client = self.partner("New Client")
        c = self.base_only(c_client, 700.0, start=date(2026, 2, 15))
        # D drops from 4 to 2 endpoints
        d_client = self.partner("Shrinking Client")
        d = self.make_contract(d_client)
        d_assets = [
            self.asset(f"D-WS{n}", "workstation", client=d_client) for n in range(4)
        ]
        self.snapshot(date(2026, 2, 14), d_client)
        # E does not move
        e_client = self.partner("Flat Client")
        e = self.base_only(e_client, 500.0)

        first = self.bill(date(2026, 2, 15), self.contract | b | d | e)
        self.assertEqual(first.invoiced_count, 4)
        for n in range(3, 5):
            self.asset(f"A-WS{n}", "workstation")
        self.snapshot(date(2026, 3, 14))
        with freeze_time("2026-03-01 10:00:00"):  # (the count of 14 March)
            d_assets[0].write({"state": "retired"})
            d_assets[1].active = False
        self.snapshot(date(2026, 3, 14), d_client)
        second = self.bill(date(2026, 3, 15), self.contract | b | c | d | e)
        self.assertEqual(second.invoiced_count, 4)
        # a void and re-bill leaves one invoice of D's cycle counted
        d_line = second.line_ids.filtered(lambda line: line.contract_id == d)
        d_line.action_void_rebill()
        self.assertEqual(d_line.move_id.state, "cancel")

        clients = self.client | b_client | c_client | d_client | e_client
        rows = self.rows("msp.mrr.report", clients).filtered(lambda r: r.month <= FEB)
        got = {
            (r.client_id.name, r.month): (r.movement, r.previous_mrr, r.mrr,
                                          r.change_amount)
            for r in rows
        }  # fmt: skip
        self.assertEqual(
            got,
            {
                # 500 + 3 x 40 + 2 x 22; the 120 of T&M is not MRR
                ("Billed Client", JAN): ("new", 0, 664, 664),
                ("Billed Client", FEB): ("expansion", 664, 744, 80),
                ("Churned Client", JAN): ("new", 0, 500, 500),
                ("Churned Client", FEB): ("churn", 500, 0, -500),
                ("New Client", FEB): ("new", 0, 700, 700),
                ("Shrinking Client", JAN): ("new", 0, 660, 660),
                ("Shrinking Client", FEB): ("contraction", 660, 580, -80),
                ("Flat Client", JAN): ("new", 0, 500, 500),
                ("Flat Client", FEB): ("flat", 500, 500, 0),
            },
        )
        [feb] = self.env["msp.mrr.report"].read_group(
            [("client_id", "in", clients.ids), ("month", "=", FEB)],
            ["mrr:sum", "change_amount:sum", "new_mrr:sum", "expansion_mrr:sum",
             "contraction_mrr:sum", "churn_mrr:sum"],
            [],
        )  # fmt: skip
        self.assertEqual(feb["mrr"], 744 + 700 + 580 + 500)
        self.assertEqual(
            (feb["new_mrr"], feb["expansion_mrr"], feb["contraction_mrr"],
             feb["churn_mrr"], feb["change_amount"]),
            (700, 80, -80, -500, 200),
        )  # fmt: skip

    # -- WIP ---------------------------------------------------------------
    def test_unbilled_wip_aging_value_and_revenue_ratio(self):
        today = fields.Date.today()  # the view ages against CURRENT_DATE (UTC)

        def ago(days):
            return today - relativedelta(days=days)

        ticket = self.ticket(name="Firewall swap")
        billed = self.entry(ticket, date(2026, 2, 1), 1.0, kind="billable")
        self.bill(date(2026, 2, 15), self.contract)  # Jan cycle: 500 + 120 T&M
        self.assertTrue(billed.msp_invoice_line_id)
        self.assertLess(date(2026, 2, 14), ago(100), "the entries are not billed")
        aged = self.entry(ticket, ago(45), 2.0, kind="billable")
        fresh = self.entry(
            self.ticket(name="Office move"), ago(10), 1.5, kind="project"
        )
        old = self.entry(ticket, ago(100), 0.4, kind="billable")  # bills 0.5 h
        self.entry(ticket, ago(5), 3.0, kind="included")
        self.entry(ticket, ago(40), 1.0, kind="billable", msp_state="draft")
        other = self.partner("No Contract Client")
        orphan = self.entry(self.ticket(client=other), ago(70), 1.0, kind="billable")

        rows = self.rows("msp.wip.report", self.client | other)
        self.assertEqual(
            {r.entry_id: (r.aging, r.hours, r.rate, r.amount) for r in rows},
            {
                aged: ("31_60", 2.0, 120, 240),
                fresh: ("0_30", 1.5, 120, 180),
                old: ("over_90", 0.5, 120, 60),
                orphan: ("61_90", 1.0, 0, 0),
            },
        )
        self.assertEqual(
            {r.entry_id: r.rate_source for r in rows},
            {aged: "contract", fresh: "contract", old: "contract", orphan: "none"},
        )
        mine = rows.filtered(lambda r: r.client_id == self.client)
        self.assertEqual(set(mine.mapped("client_over_30")), {300})
        self.assertEqual(set(mine.mapped("client_revenue")), {620})
        self.assertEqual(set(mine.mapped("revenue_month")), {JAN})
        self.assertAlmostEqual(mine[0].over_30_ratio, 300 / 620 * 100, places=4)
        self.assertEqual(mine.filtered(lambda r: r.entry_id == aged).age_days, 45)
        buckets = self.env["msp.wip.report"].read_group(
            [("client_id", "=", self.client.id)], ["amount:sum"], ["aging"]
        )
        self.assertEqual(
            {g["aging"]: g["amount"] for g in buckets},
            {"0_30": 180, "31_60": 240, "over_90": 60},
        )

    def test_wip_values_time_at_the_rate_of_the_contract_billing_it(self):
        base_only = [
            {"product_id": self.p_base.id, "name": "Base", "quantity": 1,
             "price_unit": 90.0},
        ]  # fmt: skip
        backup = self.make_contract(
            self.client, lines=base_only, msp_included_hours=0.0,
            msp_tm_product_id=False,
        )  # fmt: skip
        projects = self.make_contract(
            self.client, lines=base_only, msp_included_hours=0.0, msp_tm_rate=95.0
        )
        day = fields.Date.today() - relativedelta(days=3)
        printer = self.ticket()
        printer.msp_contract_id = backup  # bills no T&M: the main contract's
        plain = self.entry(printer, day, 1.0, kind="billable")
        move = self.ticket(name="Office move")
        move.msp_contract_id = projects
        moved = self.entry(move, day, 1.0, kind="billable")
        rows = self.rows("msp.wip.report", self.client)
        self.assertEqual(
            {r.entry_id: r.rate for r in rows}, {plain: 120.0, moved: 95.0}
        )

    def test_after_hours_wip_is_valued_at_the_multiplier(self):
        self.contract.msp_after_hours_multiplier = 2.0
        ticket = self.ticket(name="Weekend migration")
        day = fields.Date.today() - relativedelta(days=3)
        night = self.entry(ticket, day, 1.0, kind="billable", msp_after_hours=True)
        rows = self.rows("msp.wip.report", self.client)
        self.assertEqual(rows.filtered(lambda r: r.entry_id == night).amount, 240)

    # -- realization and profitability -------------------------------------
    def time_story(self):
        """Client A's time: the January cycle (15 Jan - 14 Feb) has 4 h + 2 h
        included, 0.9 h of T&M (bills 1 h) and 3.1 h of project work; the
        February cycle 2 h included by the second engineer."""
        ticket = self.ticket()
        self.entry(ticket, date(2026, 1, 20), 4.0)
        self.entry(ticket, date(2026, 1, 22), 2.0, employee_id=self.employee2.id,
                   user_id=self.tech2_user.id)  # fmt: skip
        self.entry(ticket, date(2026, 2, 1), 0.9, kind="billable")
        self.entry(ticket, date(2026, 2, 3), 3.1, kind="project")
        self.entry(ticket, date(2026, 1, 25), 5.0, msp_state="draft")
        self.entry(ticket, date(2026, 2, 20), 2.0, employee_id=self.employee2.id,
                   user_id=self.tech2_user.id)  # fmt: skip
        first = self.bill(date(2026, 2, 15), self.contract).line_ids
        second = self.bill(date(2026, 3, 15), self.contract).line_ids
        # no assets: the base fee, plus 1 h of T&M at 120 in January
        self.assertEqual(first.amount_untaxed, 620)
        self.assertEqual(second.amount_untaxed, 500)
        return first, second

    def test_realization_per_engineer_and_month(self):
        first, _second = self.time_story()
        Report = self.env["msp.realization.report"]
        rows = self.rows("msp.realization.report", self.client)
        self.assertEqual(
            sorted(
                (r.month, r.employee_id.name, r.work_kind, round(r.logged_hours, 2),
                 round(r.billed_hours, 2), round(r.realization_rate, 2))
                for r in rows
            ),
            [
                (JAN, "Bill Tech", "included", 4.0, 4.0, 100.0),
                (JAN, "Report Tech", "included", 2.0, 2.0, 100.0),
                (FEB, "Bill Tech", "billable", 0.9, 1.0, 111.11),
                (FEB, "Bill Tech", "project", 3.1, 0.0, 0.0),
                (FEB, "Report Tech", "included", 2.0, 2.0, 100.0),
            ],
        )  # fmt: skip
        domain = [("client_id", "=", self.client.id)]

        def rates(groupby):
            return {
                (g[groupby][1] if isinstance(g[groupby], tuple) else g[groupby]): (
                    round(g["logged_hours"], 2),
                    round(g["billed_hours"], 2),
                    round(g["realization_rate"], 2),
                )
                for g in Report.read_group(
                    domain,
                    ["realization_rate:avg", "logged_hours:sum", "billed_hours:sum"],
                    [groupby],
                )
            }

        self.assertEqual(
            rates("employee_id"),
            {"Bill Tech": (8.0, 5.0, 62.5), "Report Tech": (4.0, 4.0, 100.0)},
        )
        self.assertEqual(
            rates("month:month"),
            {"January 2026": (6.0, 6.0, 100.0), "February 2026": (6.0, 3.0, 50.0)},
        )
        # the total is the ratio of the sums (an average of rows would be 82.2)
        [total] = Report.read_group(domain, ["realization_rate:avg"], [])
        self.assertEqual(round(total["realization_rate"], 2), 75.0)
        # time billed on a cancelled invoice is not billed any more
        first.move_id.button_cancel()
        [total] = Report.read_group(domain, ["billed_hours:sum"], [])
        self.assertEqual(total["billed_hours"], 2.0)

    def test_contract_profitability_per_cycle_month(self):
        self.time_story()
        rows = self.rows("msp.contract.profitability.report", self.client)
        self.assertEqual(rows.contract_id, self.contract)
        got = {
            r.month: (r.revenue, round(r.hours, 2), round(r.cost, 2),
                      round(r.margin, 2), round(r.margin_pct, 2))
            for r in rows
        }  # fmt: skip
        self.assertEqual(
            got,
            {
                # 4 h + 0.9 h + 3.1 h at 40, 2 h at 60; the 3 Feb entries
                # belong to the cycle that starts on 15 January
                JAN: (620, 10.0, 440.0, 180.0, 29.03),
                FEB: (500, 2.0, 120.0, 380.0, 76.0),
            },
        )
        [total] = self.env["msp.contract.profitability.report"].read_group(
            [("contract_id", "=", self.contract.id)], ["margin_pct:avg"], []
        )
        self.assertEqual(round(total["margin_pct"], 2), 50.0)  # 560 / 1120

    # -- export and access -------------------------------------------------
    def test_xlsx_export_header_and_first_row(self):
        self.time_story()
        Report = self.env["msp.realization.report"].with_user(self.billing_user)
        rows = Report.search([("client_id", "=", self.client.id)]).sorted(
            lambda r: (r.month, r.employee_id.name, r.work_kind)
        )
        action = self.env.ref("msp_mrr_billing.action_msp_realization_report_xlsx")
        self.assertEqual(action.binding_model_id.model, "msp.realization.report")
        result = (
            action.with_user(self.billing_user)
            .with_context(
                active_model=Report._name, active_ids=rows.ids, active_id=rows[0].id
            )
            .run()
        )
        self.assertEqual(result["type"], "ir.actions.act_url")
        self.assertTrue(result["url"].endswith("?download=true"))
        attachment_id = int(result["url"].split("/")[-1].split("?")[0])
        attachment = (
            self.env["ir.attachment"].with_user(self.billing_user).browse(attachment_id)
        )
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(attachment.datas)))
        sheet = book.active
        values = list(sheet.iter_rows(min_row=1, max_row=2, values_only=True))
        self.assertEqual(
            values[0],
            ("Month", "Client", "Engineer", "Work Kind", "Logged (h)", "Billed (h)",
             "Realization (%)"),
        )  # fmt: skip
        self.assertEqual(
            values[1],
            (datetime(2026, 1, 1), "Billed Client", "Bill Tech",
             "Included managed service", 4.0, 4.0, 100.0),
        )  # fmt: skip
        self.assertEqual(sheet.max_row, 1 + len(rows))

    def test_each_report_exports_its_columns(self):
        self.time_story()
        for model in REPORTS:
            Report = self.env[model].with_user(self.billing_user)
            rows = Report.search([("client_id", "=", self.client.id)])
            self.assertTrue(rows, model)
            action = rows.action_export_xlsx()
            attachment = self.env["ir.attachment"].browse(
                int(action["url"].split("/")[-1].split("?")[0])
            )
            sheet = openpyxl.load_workbook(io.BytesIO(attachment.raw)).active
            header = next(sheet.iter_rows(max_row=1, values_only=True))
            self.assertEqual(
                list(header),
                [
                    Report._fields[name]._description_string(self.env)
                    for name in Report._msp_xlsx_columns
                ],
                model,
            )
            self.assertEqual(sheet.max_row, 1 + len(rows), model)

    def test_technicians_cannot_read_the_reports(self):
        tech = role_user(self.env, "rep_tech", "group_msp_technician")
        manager = role_user(self.env, "rep_manager", "group_msp_service_manager")
        for model in REPORTS:
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(tech).search([])
            self.env[model].with_user(manager).search([])
            self.env[model].with_user(self.billing_user).search([])
        menus = [
            "msp_mrr_billing.menu_msp_mrr_report",
            "msp_mrr_billing.menu_msp_wip_report",
            "msp_mrr_billing.menu_msp_realization_report",
            "msp_mrr_billing.menu_msp_contract_profitability_report",
        ]
        assert_menus_for_role(self, menus, self.billing_user)
        assert_menus_for_role(self, menus, manager)
        visible = self.env["ir.ui.menu"].with_user(tech)._visible_menu_ids()
        self.assertFalse(
            {self.env.ref(xmlid).id for xmlid in menus} & set(visible),
            "no report menu for technicians",
        )
