# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import BaseCase, tagged

from ..models.billing_cycle import (
    anchor_on_or_before,
    anchored_period_end,
    first_anchor,
    prorate,
    proration,
)
from .common import BillingCase


@tagged("post_install", "-at_install")
class TestCycleArithmetic(BaseCase):
    """The pure date logic, without a database."""

    def test_anchors(self):
        self.assertEqual(first_anchor(date(2026, 1, 10), 1), date(2026, 2, 1))
        self.assertEqual(first_anchor(date(2026, 1, 10), 10), date(2026, 1, 10))
        self.assertEqual(first_anchor(date(2026, 1, 30), 15), date(2026, 2, 15))
        # the cycle holding a day before the first anchor starts one cycle back
        self.assertEqual(
            anchor_on_or_before(date(2026, 1, 10), date(2026, 2, 1), 1),
            date(2026, 1, 1),
        )
        self.assertEqual(
            anchor_on_or_before(date(2026, 1, 10), date(2026, 2, 1), 3),
            date(2025, 11, 1),
        )
        self.assertEqual(
            anchor_on_or_before(date(2026, 4, 14), date(2026, 1, 15), 3),
            date(2026, 1, 15),
        )
        self.assertEqual(
            anchored_period_end(date(2026, 2, 15), date(2026, 1, 15), 1),
            date(2026, 3, 14),
        )
        self.assertEqual(
            anchored_period_end(
                date(2026, 1, 10), date(2026, 2, 1), 1, date_end=date(2026, 1, 20)
            ),
            date(2026, 1, 20),
        )

    def test_proration(self):
        anchor = date(2026, 2, 1)
        # first partial cycle: 10-31 Jan of the 1-31 Jan cycle
        self.assertEqual(
            proration(date(2026, 1, 10), date(2026, 1, 31), anchor, 1), (22, 31)
        )
        # a whole cycle, February or March
        self.assertEqual(
            proration(date(2026, 2, 1), date(2026, 2, 28), anchor, 1), (28, 28)
        )
        self.assertEqual(
            proration(date(2026, 3, 1), date(2026, 3, 31), anchor, 1), (31, 31)
        )
        # last partial cycle: cut by the end date
        self.assertEqual(
            proration(date(2026, 2, 15), date(2026, 3, 1), date(2026, 1, 15), 1),
            (15, 28),
        )
        # a line drifting off the anchor but billed a whole cycle is full
        self.assertEqual(
            proration(date(2026, 2, 10), date(2026, 3, 9), date(2026, 1, 15), 1),
            (28, 28),
        )
        # quarterly: 22 days of Nov-Jan
        self.assertEqual(
            proration(date(2026, 1, 10), date(2026, 1, 31), anchor, 3), (22, 92)
        )
        self.assertEqual(prorate(3.0, 22, 31, 0.01), 2.13)
        self.assertEqual(prorate(3.0, 31, 31, 0.01), 3.0)
        self.assertEqual(prorate(1.0, 22, 31, 1.0), 1.0)


@tagged("post_install", "-at_install")
class TestPartialCycles(BillingCase):
    def partial_contract(self, name, start=date(2026, 1, 10), day=1, **terms):
        client = self.env["res.partner"].create({"name": name, "is_company": True})
        return self.make_contract(client, start=start, msp_billing_day=day, **terms)

    def units(self, client, workstations=3, seats=2):
        for n in range(workstations):
            self.asset(f"WS{n}-{client.id}", "workstation", client=client)
        for n in range(seats):
            self.asset(
                f"SEAT{n}-{client.id}",
                "m365_license",
                client=client,
                sku_part_number="SPB",
            )

    def test_first_partial_cycle_up_to_the_billing_day(self):
        contract = self.partial_contract("Starts on the 10th")
        self.env["contract.line"].create(
            {"contract_id": contract.id, "product_id": self.p_block.id,
             "name": "Prepaid block", "quantity": 1, "price_unit": 1000.0,
             "msp_qty_source": "block", "msp_block_hours": 10}
        )  # fmt: skip
        client = contract.partner_id
        self.units(client)
        self.snapshot(date(2026, 1, 31), client)
        self.assertEqual(contract.recurring_next_date, date(2026, 2, 1))
        self.assertEqual(contract.next_period_date_end, date(2026, 1, 31))
        self.assertFalse(self.bill(date(2026, 1, 31), contract).line_ids)

        first = self.bill(date(2026, 2, 1), contract).line_ids
        self.assertEqual(first.state, "invoiced", first.error)
        self.assertEqual(
            (first.period_start, first.period_end),
            (date(2026, 1, 10), date(2026, 1, 31)),
        )
        base = self.invoice_line(first, self.p_base)
        endpoints = self.invoice_line(first, self.p_endpoint)
        seats = self.invoice_line(first, self.p_seat)
        # 22 of 31 days, rounded to the unit of measure (0.01)
        self.assertEqual(base.quantity, 0.71)
        self.assertEqual(endpoints.quantity, 2.13)
        self.assertEqual(seats.quantity, 1.42)
        self.assertIn("Prorated 22 of 31 days (full cycle: 1)", base.name)
        self.assertIn("Endpoints: 3 (first cycle)", endpoints.name)
        self.assertIn("Prorated 22 of 31 days (full cycle: 3)", endpoints.name)
        self.assertIn("SPB: 2 (first cycle)", seats.name)
        self.assertIn("endpoint: 3", first.units_summary)  # the raw count
        # a block top-up is what was bought: never prorated
        block = self.invoice_line(first, self.p_block)
        self.assertEqual(block.quantity, 1)
        self.assertNotIn("Prorated", block.name)
        self.assertAlmostEqual(
            first.move_id.amount_untaxed,
            0.71 * 500 + 2.13 * 40 + 1.42 * 22 + 1000,
            places=2,
        )
        self.assertEqual(contract.recurring_next_date, date(2026, 3, 1))

        # a line added now starts with the open cycle, a whole one
        backup = self.env["contract.line"].create(
            {"contract_id": contract.id, "product_id": self.p_tm.id,
             "name": "Backup", "quantity": 2, "price_unit": 10.0}
        )  # fmt: skip
        self.assertEqual(backup.date_start, date(2026, 2, 1))
        second = self.bill(date(2026, 3, 1), contract).line_ids
        self.assertEqual(
            (second.period_start, second.period_end),
            (date(2026, 2, 1), date(2026, 2, 28)),
        )
        base = self.invoice_line(second, self.p_base)
        self.assertEqual(base.quantity, 1)
        self.assertNotIn("Prorated", base.name)
        self.assertEqual(self.invoice_line(second, self.p_endpoint).quantity, 3)
        added = second.move_id.invoice_line_ids.filtered(
            lambda line: line.contract_line_id == backup
        )
        self.assertEqual(added.quantity, 2)
        self.assertEqual(contract.recurring_next_date, date(2026, 4, 1))
        third = self.bill(date(2026, 4, 1), contract).line_ids
        self.assertEqual(
            (third.period_start, third.period_end),
            (date(2026, 3, 1), date(2026, 3, 31)),
        )
        self.assertEqual(self.invoice_line(third, self.p_base).quantity, 1)

    def test_included_hours_of_a_partial_cycle_are_prorated(self):
        contract = self.partial_contract("Hours from the 10th")
        ticket = self.ticket(client=contract.partner_id)
        self.entry(ticket, date(2026, 1, 20), 9.0)
        line = self.bill(date(2026, 2, 1), contract).line_ids
        # 10 h x 22/31 = 7.1 h included: 1.9 h over
        self.assertEqual(line.included_hours, 7.1)
        self.assertEqual((line.used_hours, line.overage_hours), (9.0, 1.9))
        overage = self.invoice_line(line, self.p_overage)
        self.assertEqual(overage.quantity, 1.9)
        self.assertIn("9 h used of 7.1 h included; overage 1.9 h", overage.name)
        self.assertNotIn("Prorated", overage.name)
        # the next, whole cycle includes all 10 h
        self.entry(ticket, date(2026, 2, 10), 9.0)
        nxt = self.bill(date(2026, 3, 1), contract).line_ids
        self.assertEqual((nxt.included_hours, nxt.overage_hours), (10.0, 0.0))

    def test_billing_day_1_to_28_and_any_start_day(self):
        late = self.partial_contract("Starts on the 30th", start=date(2026, 1, 30))
        self.assertEqual(late.recurring_next_date, date(2026, 2, 1))
        line = self.bill(date(2026, 2, 1), late).line_ids
        self.assertEqual(
            (line.period_start, line.period_end),
            (date(2026, 1, 30), date(2026, 1, 31)),
        )
        self.assertEqual(self.invoice_line(line, self.p_base).quantity, 0.06)  # 2/31
        with self.assertRaisesRegex(ValidationError, "billing day is 29"):
            self.partial_contract("Day 29", day=29)
        with self.assertRaisesRegex(ValidationError, "billing day is 29"):
            late.msp_billing_day = 29
        with self.assertRaisesRegex(ValidationError, "monthly, quarterly"):
            self.partial_contract("Weekly", recurring_rule_type="weekly")

    def test_last_partial_cycle_is_prorated(self):
        self.contract.contract_line_ids.write({"date_end": date(2026, 3, 1)})
        self.bill(date(2026, 2, 15), self.contract)
        self.units(self.client, workstations=4, seats=0)
        self.snapshot(date(2026, 3, 1))
        ticket = self.ticket()
        self.entry(ticket, date(2026, 2, 20), 7.0)
        self.entry(ticket, date(2026, 2, 21), 2.0, kind="billable")
        last = self.bill(date(2026, 3, 2), self.contract).line_ids
        self.assertEqual(
            (last.period_start, last.period_end), (date(2026, 2, 15), date(2026, 3, 1))
        )
        # 15 days of the 15 Feb - 14 Mar cycle (28 days)
        base = self.invoice_line(last, self.p_base)
        self.assertEqual(base.quantity, 0.54)
        self.assertIn("Prorated 15 of 28 days (full cycle: 1)", base.name)
        endpoints = self.invoice_line(last, self.p_endpoint)
        self.assertEqual(endpoints.quantity, 2.14)
        self.assertIn("Endpoints: 4 (first cycle)", endpoints.name)
        # 10 h x 15/28 = 5.36 h included; overage and T&M are not prorated
        self.assertEqual(last.included_hours, 5.36)
        self.assertEqual(self.invoice_line(last, self.p_overage).quantity, 1.64)
        self.assertEqual(self.invoice_line(last, self.p_tm).quantity, 2.0)

    def test_cycles_anchored_on_the_15th_from_another_start_day(self):
        contract = self.partial_contract(
            "Starts on the 20th", start=date(2026, 1, 20), day=15
        )
        periods, quantities = [], []
        for day in (
            date(2026, 2, 15),
            date(2026, 3, 15),
            date(2026, 4, 15),
            date(2026, 5, 15),
        ):
            line = self.bill(day, contract).line_ids
            self.assertEqual(line.state, "invoiced", line.error)
            periods.append((line.period_start, line.period_end))
            quantities.append(self.invoice_line(line, self.p_base).quantity)
        self.assertEqual(
            periods,
            [
                (date(2026, 1, 20), date(2026, 2, 14)),  # 26 of 31 days
                (date(2026, 2, 15), date(2026, 3, 14)),  # 28 days
                (date(2026, 3, 15), date(2026, 4, 14)),  # 31 days
                (date(2026, 4, 15), date(2026, 5, 14)),  # 30 days
            ],
        )
        self.assertEqual(quantities, [0.84, 1, 1, 1])

    def test_quarterly_first_partial_cycle(self):
        contract = self.partial_contract("Quarterly", recurring_rule_type="quarterly")
        first = self.bill(date(2026, 2, 1), contract).line_ids
        self.assertEqual(
            (first.period_start, first.period_end),
            (date(2026, 1, 10), date(2026, 1, 31)),
        )
        # 22 days of the November-January quarter (92 days)
        self.assertEqual(self.invoice_line(first, self.p_base).quantity, 0.24)
        self.assertEqual(contract.recurring_next_date, date(2026, 5, 1))
        second = self.bill(date(2026, 5, 1), contract).line_ids
        self.assertEqual(
            (second.period_start, second.period_end),
            (date(2026, 2, 1), date(2026, 4, 30)),
        )
        self.assertEqual(self.invoice_line(second, self.p_base).quantity, 1)

    def test_end_date_and_void_keep_the_anchor(self):
        contract = self.partial_contract("Voided")
        first = self.bill(date(2026, 2, 1), contract).line_ids
        first.action_void_rebill()
        again = contract.msp_run_line_ids.filtered(lambda ln: ln.state == "invoiced")
        self.assertEqual(
            (again.period_start, again.period_end),
            (date(2026, 1, 10), date(2026, 1, 31)),
        )
        self.assertEqual(contract.recurring_next_date, date(2026, 3, 1))
        # an end date in the next cycle cuts it, from the anchor
        contract.contract_line_ids.write({"date_end": date(2026, 2, 10)})
        self.assertEqual(contract.recurring_next_date, date(2026, 2, 11))
        last = self.bill(date(2026, 2, 11), contract).line_ids
        self.assertEqual(
            (last.period_start, last.period_end),
            (date(2026, 2, 1), date(2026, 2, 10)),
        )
        self.assertEqual(self.invoice_line(last, self.p_base).quantity, 0.36)  # 10/28

    def test_lines_ending_or_starting_mid_cycle_join_the_others(self):
        contract = self.partial_contract("Line changes")
        self.bill(date(2026, 2, 1), contract)
        base = contract.contract_line_ids.filtered(
            lambda line: line.product_id == self.p_base
        )
        base.date_end = date(2026, 2, 10)
        later = self.env["contract.line"].create(
            {"contract_id": contract.id, "product_id": self.p_tm.id,
             "name": "Backup", "quantity": 1, "price_unit": 10.0,
             "date_start": date(2026, 2, 15)}
        )  # fmt: skip
        self.assertEqual(contract.recurring_next_date, date(2026, 3, 1))
        line = self.bill(date(2026, 3, 1), contract).line_ids
        self.assertEqual(line.state, "invoiced", line.error)
        self.assertEqual(
            (line.period_start, line.period_end), (date(2026, 2, 1), date(2026, 2, 28))
        )
        ended = self.invoice_line(line, self.p_base)
        self.assertEqual(ended.quantity, 0.36)  # 10 of 28 days
        self.assertIn("Prorated 10 of 28 days", ended.name)
        started = line.move_id.invoice_line_ids.filtered(
            lambda ml: ml.contract_line_id == later
        )
        self.assertEqual(started.quantity, 0.5)  # 14 of 28 days
        self.assertEqual(line.included_hours, 10.0, "the contract's cycle is whole")
        nxt = self.bill(date(2026, 4, 1), contract).line_ids
        self.assertFalse(self.invoice_line(nxt, self.p_base), "the line has ended")
        started = nxt.move_id.invoice_line_ids.filtered(
            lambda ml: ml.contract_line_id == later
        )
        self.assertEqual(started.quantity, 1)

    def test_proration_queries_nothing_per_line(self):
        contract = self.partial_contract("Many lines")
        self.env["contract.line"].create(
            [{"contract_id": contract.id, "product_id": self.p_base.id,
              "name": f"Option {n}", "quantity": 1, "price_unit": 10.0}
             for n in range(6)]
        )  # fmt: skip
        Run = self.registry["msp.billing.run"]
        prorate_line = Run._prorate
        spent = []

        def counting(run, line, vals):
            before = run.env.cr.sql_log_count
            prorate_line(run, line, vals)
            spent.append(run.env.cr.sql_log_count - before)

        self.env.invalidate_all()
        with patch.object(Run, "_prorate", counting):
            line = self.bill(date(2026, 2, 1), contract).line_ids
        self.assertEqual(line.state, "invoiced", line.error)
        self.assertEqual(len(spent), 10)
        # at most the lines' units of measure, read once for all
        self.assertLessEqual(sum(spent), 1, spent)
        options = self.invoice_line(line, self.p_base)
        self.assertEqual(set(options.mapped("quantity")), {0.71})
