# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

import psycopg2
from freezegun import freeze_time
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestCycles(BillingCase):
    def test_cycle_anchored_on_the_15th_through_short_and_long_months(self):
        contract = self.contract
        periods = []
        for day in (date(2026, 2, 15), date(2026, 3, 15), date(2026, 4, 15)):
            line = self.bill(day, contract).line_ids
            periods.append((line.period_start, line.period_end))
            self.assertEqual(line.state, "invoiced", line.error)
            self.assertEqual(line.move_id.invoice_date, day)
        self.assertEqual(
            periods,
            [
                (date(2026, 1, 15), date(2026, 2, 14)),  # 31 days
                (date(2026, 2, 15), date(2026, 3, 14)),  # 28 days
                (date(2026, 3, 15), date(2026, 4, 14)),
            ],
        )
        lines = self.bill(date(2026, 4, 15), contract).line_ids
        self.assertFalse(lines, "the same date bills nothing twice")
        first = contract.msp_run_line_ids.sorted("period_start")[0].move_id
        base = first.invoice_line_ids.filtered(lambda ln: ln.product_id == self.p_base)
        self.assertEqual(
            (base.msp_period_start, base.msp_period_end),
            (date(2026, 1, 15), date(2026, 2, 14)),
        )

    def test_snapshots_are_due_on_each_contracts_cycle_end(self):
        Snapshot = self.env["msp.asset.snapshot"]
        self.assertIn(self.client, Snapshot._due_clients(date(2026, 2, 14)))
        self.assertNotIn(self.client, Snapshot._due_clients(date(2026, 2, 13)))
        daily = self.make_contract(
            self.env["res.partner"].create({"name": "Daily", "is_company": True}),
            msp_proration="daily",
        )
        self.assertIn(daily.partner_id, Snapshot._due_clients(date(2026, 2, 13)))

    def test_msp_billing_is_post_paid(self):
        with self.assertRaisesRegex(ValidationError, "post-paid"):
            self.make_contract(self.client, recurring_invoicing_type="pre-paid")

    def test_start_days_29_to_31_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "day 31"):
            self.make_contract(self.client, start=date(2026, 1, 31))

    def test_last_partial_cycle_stops_at_the_end_date(self):
        self.contract.contract_line_ids.write({"date_end": date(2026, 3, 1)})
        self.assertEqual(self.contract.date_end, date(2026, 3, 1))
        self.bill(date(2026, 2, 15), self.contract)
        run = self.env["msp.billing.run"].create({"billing_date": date(2026, 3, 2)})
        self.assertIn(self.contract, run._due_contracts(), "the last cycle is due")
        last = self.bill(date(2026, 3, 15), self.contract).line_ids
        self.assertEqual(
            (last.period_start, last.period_end), (date(2026, 2, 15), date(2026, 3, 1))
        )
        self.assertFalse(self.bill(date(2026, 4, 15), self.contract).line_ids)

    def test_oca_cron_leaves_msp_contracts_to_the_run(self):
        self.env["contract.contract"]._cron_recurring_create(date(2026, 2, 15))
        self.assertFalse(self.contract._get_related_invoices())
        self.assertEqual(self.contract.recurring_next_date, date(2026, 2, 15))


@tagged("post_install", "-at_install")
class TestQuantities(BillingCase):
    def test_units_from_the_snapshot_and_hours_overage(self):
        for n in range(3):
            self.asset(f"WS{n}", "workstation")
        self.asset("SRV", "server")
        self.asset("SEAT1", "m365_license", sku_part_number="SPB")
        self.asset("SEAT2", "m365_license", sku_part_number="SPB")
        self.asset("MAIL", "m365_license", sku_part_number="EXCHANGESTANDARD")
        self.snapshot(date(2026, 2, 14))
        ticket = self.ticket()
        included = self.entry(ticket, date(2026, 1, 20), 7.0)
        self.entry(ticket, date(2026, 2, 3), 4.5)
        self.entry(ticket, date(2026, 2, 4), 2.0, kind="warranty")
        self.entry(ticket, date(2026, 2, 5), 3.0, kind="project")
        self.entry(ticket, date(2026, 2, 6), 1.0, kind="internal")
        self.entry(ticket, date(2026, 2, 20), 9.0)  # next cycle
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        self.assertEqual(line.state, "invoiced", line.error)
        self.assertEqual(self.invoice_line(line, self.p_endpoint).quantity, 3)
        self.assertIn(
            "Endpoints: 3 (first cycle)", self.invoice_line(line, self.p_endpoint).name
        )
        self.assertEqual(self.invoice_line(line, self.p_seat).quantity, 2)
        overage = self.invoice_line(line, self.p_overage)
        self.assertEqual(overage.quantity, 1.5)  # 11.5 h used, 10 included
        self.assertEqual((line.used_hours, line.overage_hours), (11.5, 1.5))
        self.assertEqual(line.move_id.amount_untaxed, 500 + 3 * 40 + 2 * 22 + 1.5 * 150)
        self.assertEqual(included.msp_invoice_line_id, overage)
        self.assertEqual(len(overage.msp_time_entry_ids), 2)
        self.assertEqual(line.move_id.state, "draft")

    def test_exactly_the_included_hours_is_no_overage(self):
        ticket = self.ticket()
        self.entry(ticket, date(2026, 1, 20), 10.0)
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        # no $0.00 overage line: a note says what was used
        self.assertFalse(self.invoice_line(line, self.p_overage))
        note = line.move_id.invoice_line_ids.filtered(
            lambda x: x.display_type == "line_note"
        )
        self.assertIn("10 h used of 10 h included", note.name)
        self.assertEqual(line.used_hours, 10.0)

    def test_excluded_categories_and_hypercare_use_no_included_hours(self):
        claims = self.env["helpdesk.ticket.category"].create(
            {"name": "Vendor warranty claim"}
        )
        self.contract.write(
            {
                "msp_excluded_category_ids": [(6, 0, claims.ids)],
                "msp_hypercare_end": date(2026, 1, 17),
            }
        )
        self.entry(self.ticket(), date(2026, 1, 20), 8.0)
        self.entry(self.ticket(category_id=claims.id), date(2026, 1, 21), 4.0)
        self.entry(self.ticket(), date(2026, 1, 16), 3.0)  # in hypercare
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        self.assertEqual((line.used_hours, line.excluded_hours), (8.0, 7.0))
        self.assertFalse(self.invoice_line(line, self.p_overage))  # no overage
        note = line.move_id.invoice_line_ids.filtered(
            lambda x: x.display_type == "line_note"
        )
        self.assertIn("7 h not counted", note.name)

    def test_a_client_with_several_contracts_bills_hours_once_where_due(self):
        client = self.env["res.partner"].create(
            {"name": "Two Deals", "is_company": True}
        )
        ended = self.make_contract(
            client, start=date(2025, 1, 15), date_end=date(2025, 12, 14)
        )
        ended.contract_line_ids.last_date_invoiced = date(2025, 12, 14)
        base_only = [
            {"product_id": self.p_base.id, "name": "Cloud backup", "quantity": 1,
             "price_unit": 90.0},
        ]  # fmt: skip
        backup = self.make_contract(
            client, lines=base_only, msp_included_hours=0.0, msp_tm_product_id=False
        )
        tm_only = self.make_contract(client, lines=base_only, msp_included_hours=0.0)
        managed = self.make_contract(client)
        project = self.make_contract(client, msp_included_hours=5.0)
        self.assertLess(ended.id, backup.id)
        self.assertLess(backup.id, managed.id)
        printer = self.ticket(client=client)
        printer.msp_contract_id = backup  # bills no hours: the managed one's
        self.entry(printer, date(2026, 1, 20), 12.0)
        self.entry(printer, date(2026, 1, 21), 1.0, kind="billable")
        move = self.ticket(client=client, name="Office move")
        move.msp_contract_id = tm_only  # T&M there, included work not
        self.entry(move, date(2026, 1, 23), 2.0)
        self.entry(move, date(2026, 1, 23), 1.5, kind="billable")
        rollout = self.ticket(client=client, name="Laptop rollout")
        rollout.msp_contract_id = project
        self.entry(rollout, date(2026, 1, 22), 6.0)
        run = self.bill(date(2026, 2, 15), backup | tm_only | managed | project)
        lines = {line.contract_id: line for line in run.line_ids}
        self.assertEqual(set(lines), {backup, tm_only, managed, project})
        self.assertEqual(lines[backup].amount_untaxed, 90.0)
        self.assertFalse(lines[backup].move_id.invoice_line_ids.msp_time_entry_ids)
        self.assertEqual((lines[tm_only].used_hours, lines[tm_only].tm_hours), (0, 1.5))
        self.assertEqual(lines[managed].used_hours, 14.0)
        self.assertEqual(lines[managed].tm_hours, 1.0)
        self.assertEqual(
            self.invoice_line(lines[managed], self.p_overage).quantity, 4.0
        )
        self.assertEqual(lines[project].used_hours, 6.0)
        self.assertEqual(
            self.invoice_line(lines[project], self.p_overage).quantity, 1.0
        )

    def test_billed_time_is_rounded_up_to_the_contracts_increment(self):
        self.contract.msp_billing_increment_minutes = 30
        ticket = self.ticket()
        entry = self.entry(ticket, date(2026, 1, 20), 10.1)  # 10 h 06 min
        self.assertEqual(entry.msp_billed_hours, 10.5)
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        self.assertEqual(self.invoice_line(line, self.p_overage).quantity, 0.5)

    def test_time_and_materials_lines_per_ticket_billed_once(self):
        printer = self.ticket(name="Move the printer")
        wifi = self.ticket(name="Guest Wi-Fi")
        a = self.entry(printer, date(2026, 1, 20), 1.0, kind="billable")
        self.entry(printer, date(2026, 1, 21), 0.5, kind="billable")
        self.entry(wifi, date(2026, 2, 1), 2.0, kind="billable")
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        tm = self.invoice_line(line, self.p_tm)
        self.assertEqual(sorted(tm.mapped("quantity")), [1.5, 2.0])
        self.assertEqual(set(tm.mapped("price_unit")), {120.0})
        self.assertIn(printer.number, a.msp_invoice_line_id.name)
        self.assertEqual(line.tm_hours, 3.5)
        nxt = self.bill(date(2026, 3, 15), self.contract).line_ids
        self.assertFalse(self.invoice_line(nxt, self.p_tm), "billed once, ever")

    def test_billed_time_is_locked(self):
        ticket = self.ticket()
        entry = self.entry(ticket, date(2026, 1, 20), 2.0)
        self.bill(date(2026, 2, 15), self.contract)
        with self.assertRaisesRegex(UserError, "locked"):
            entry.unit_amount = 5.0
        with self.assertRaisesRegex(UserError, "locked"):
            self.entry(ticket, date(2026, 2, 10), 1.0)
        self.entry(ticket, date(2026, 2, 16), 1.0)  # the open cycle

    def test_the_billed_lock_of_many_entries_is_one_query(self):
        other = self.env["res.partner"].create({"name": "Unbilled", "is_company": True})
        billed = self.ticket()
        unbilled = self.ticket(client=other)
        old = self.env["account.analytic.line"]
        for day in range(16, 26):
            old |= self.entry(billed, date(2026, 1, day), 0.5)
            old |= self.entry(unbilled, date(2026, 1, day), 0.5)
        self.bill(date(2026, 2, 15), self.contract)
        old.invalidate_recordset()
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        locked = old._msp_locked()
        readonly = old.filtered("readonly_timesheet")
        self.assertLessEqual(self.env.cr.sql_log_count - before, 6)
        self.assertEqual(locked, old.filtered(lambda e: e.ticket_id == billed))
        self.assertEqual(readonly, locked)

    def test_mid_cycle_device_added_with_and_without_proration(self):
        prorated = self.make_contract(
            self.env["res.partner"].create({"name": "Prorated", "is_company": True}),
            msp_proration="daily",
        )
        for contract in (self.contract, prorated):
            client = contract.partner_id
            self.asset(f"A-{client.id}", "workstation", client=client)
            self.snapshot(date(2026, 1, 15), client)
            self.asset(f"B-{client.id}", "workstation", client=client)
            self.snapshot(date(2026, 1, 31), client)  # added on day 17 of 31
            self.snapshot(date(2026, 2, 14), client)
        plain = self.bill(date(2026, 2, 15), self.contract).line_ids
        daily = self.bill(date(2026, 2, 15), prorated).line_ids
        self.assertEqual(self.invoice_line(plain, self.p_endpoint).quantity, 2)
        # 16 days with 1 device, 15 days with 2: (16 + 30) / 31
        self.assertEqual(self.invoice_line(daily, self.p_endpoint).quantity, 1.48)

    def test_offboarded_licence_leaves_the_next_cycle(self):
        self.asset(
            "SEAT", "m365_license", sku_part_number="SPB", contact_id=self.person.id
        )
        self.snapshot(date(2026, 2, 14))
        first = self.bill(date(2026, 2, 15), self.contract).line_ids
        self.assertEqual(self.invoice_line(first, self.p_seat).quantity, 1)
        with freeze_time("2026-03-01 10:00:00"):  # offboarded in the cycle
            self.person.active = False
        self.snapshot(date(2026, 3, 14))
        second = self.bill(date(2026, 3, 15), self.contract).line_ids
        self.assertEqual(self.invoice_line(second, self.p_seat).quantity, 0)
        self.assertIn("-1 vs last cycle", self.invoice_line(second, self.p_seat).name)

    def test_payment_terms_come_from_the_contract(self):
        terms = self.env.ref("account.account_payment_term_30days")
        self.contract.payment_term_id = terms
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        self.assertEqual(line.move_id.invoice_payment_term_id, terms)


@tagged("post_install", "-at_install")
class TestPrepaidBlocks(BillingCase):
    def block(self, hours, start, expiry, rollover=False):
        return self.env["msp.prepaid.block"].create(
            {"name": f"{hours} h", "contract_id": self.contract.id, "hours": hours,
             "date": start, "expiry_date": expiry, "rollover": rollover}
        )  # fmt: skip

    def test_blocks_burn_oldest_first_then_overage(self):
        old = self.block(3, date(2025, 12, 1), date(2026, 12, 31))
        new = self.block(5, date(2026, 1, 1), date(2026, 12, 31))
        ticket = self.ticket()
        self.entry(ticket, date(2026, 1, 20), 19.0)  # 9 h over the 10 included
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        self.assertEqual((old.remaining_hours, new.remaining_hours), (0, 0))
        self.assertEqual((line.block_hours, line.overage_hours), (8, 1))
        self.assertEqual(self.invoice_line(line, self.p_overage).quantity, 1)

    def test_exhausted_blocks_bill_overage_at_the_override_rate(self):
        self.contract.msp_block_overage_rate = 175.0
        self.block(3, date(2026, 1, 1), date(2026, 12, 31))
        self.entry(self.ticket(), date(2026, 1, 20), 15.0)  # 5 h over
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        overage = self.invoice_line(line, self.p_overage)
        self.assertEqual((line.block_hours, overage.quantity), (3, 2))
        self.assertEqual(overage.price_unit, 175.0)
        # without blocks, the overage line's own price
        other = self.env["res.partner"].create(
            {"name": "No Blocks", "is_company": True}
        )
        plain = self.make_contract(other, msp_block_overage_rate=175.0)
        self.entry(self.ticket(client=other), date(2026, 1, 20), 12.0)
        line = self.bill(date(2026, 2, 15), plain).line_ids
        self.assertEqual(self.invoice_line(line, self.p_overage).price_unit, 150.0)

    def test_expired_block_is_not_used_unless_it_rolls_over(self):
        expired = self.block(5, date(2025, 1, 1), date(2026, 1, 31))
        rolling = self.block(2, date(2025, 1, 1), date(2026, 1, 31), rollover=True)
        ticket = self.ticket()
        self.entry(ticket, date(2026, 1, 20), 14.0)
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        self.assertEqual(expired.remaining_hours, 5)
        self.assertEqual(rolling.remaining_hours, 0)
        self.assertEqual(line.overage_hours, 2)

    def test_top_up_line_sells_a_block_and_low_balance_warns(self):
        self.contract.msp_block_low_hours = 5
        self.env["contract.line"].create(
            {"contract_id": self.contract.id, "product_id": self.p_block.id,
             "name": "Prepaid block", "quantity": 1, "price_unit": 1000.0,
             "msp_qty_source": "block", "msp_block_hours": 10,
             "date_end": date(2026, 2, 14)}
        )  # fmt: skip
        ticket = self.ticket()
        self.entry(ticket, date(2026, 1, 20), 16.0)
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        block = self.contract.msp_block_ids
        self.assertEqual(block.hours, 10)
        self.assertEqual(block.move_line_id.move_id, line.move_id)
        self.assertEqual(self.contract.msp_block_balance, 10)
        # next cycle burns 8 of them: 2 left, under the threshold
        self.entry(ticket, date(2026, 2, 20), 18.0)
        self.bill(date(2026, 3, 15), self.contract)
        self.assertEqual(block.remaining_hours, 2)
        self.assertIn(
            "Prepaid hours running low", self.contract.activity_ids.mapped("summary")
        )


@tagged("post_install", "-at_install")
class TestRunSafety(BillingCase):
    def test_a_broken_contract_is_isolated(self):
        broken = self.make_contract(
            self.env["res.partner"].create({"name": "No T&M rate", "is_company": True}),
            msp_tm_product_id=False,
        )
        self.entry(self.ticket(client=broken.partner_id), date(2026, 1, 20), 1.0,
                   kind="billable")  # fmt: skip
        run = self.bill(date(2026, 2, 15), self.contract | broken)
        good = run.line_ids.filtered(lambda ln: ln.contract_id == self.contract)
        bad = run.line_ids.filtered(lambda ln: ln.contract_id == broken)
        self.assertEqual(good.state, "invoiced")
        self.assertEqual(bad.state, "failed")
        self.assertIn("no T&M product", bad.error)
        self.assertFalse(broken._get_related_invoices(), "no partial invoice")
        self.assertEqual(broken.recurring_next_date, date(2026, 2, 15))

    def test_the_period_key_refuses_a_second_bill(self):
        self.bill(date(2026, 2, 15), self.contract)
        # as if the contract forgot it was invoiced (OCA's weak spot)
        self.contract.contract_line_ids.write({"last_date_invoiced": False})
        self.contract._compute_recurring_next_date()
        run = self.bill(date(2026, 2, 15), self.contract)
        self.assertEqual(run.line_ids.state, "skipped")
        self.assertIn("already billed", run.line_ids.error)
        self.assertEqual(len(self.contract._get_related_invoices()), 1)

    def test_the_database_holds_the_key(self):
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.ExclusionViolation),
        ):
            with self.env.cr.savepoint():
                line.copy({"run_id": line.run_id.id})

    def test_void_and_rebill_releases_period_and_time(self):
        ticket = self.ticket()
        entry = self.entry(ticket, date(2026, 1, 20), 12.0)
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        first_move = line.move_id
        line.move_id.action_post()
        self.contract.msp_included_hours = 11.0  # the correction
        line.action_void_rebill()
        self.assertEqual(line.state, "voided")
        self.assertEqual(first_move.payment_state, "reversed")
        again = self.contract.msp_run_line_ids.filtered(
            lambda ln: ln.state == "invoiced"
        )
        self.assertEqual(again.period_start, date(2026, 1, 15))
        self.assertEqual(self.invoice_line(again, self.p_overage).quantity, 1.0)
        self.assertEqual(entry.msp_invoice_line_id.move_id, again.move_id)

    def test_an_invoice_cancelled_or_deleted_by_hand_releases_its_period(self):
        ticket = self.ticket()
        entry = self.entry(ticket, date(2026, 1, 20), 12.0)
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        line.move_id.button_cancel()
        self.assertEqual(line.state, "voided")
        self.assertFalse(entry.msp_invoice_line_id)
        self.assertEqual(self.contract.recurring_next_date, date(2026, 2, 15))
        again = self.bill(date(2026, 2, 15), self.contract).line_ids
        self.assertEqual(again.state, "invoiced")
        self.assertEqual(entry.msp_invoice_line_id.move_id, again.move_id)
        again.move_id.unlink()
        self.assertEqual(again.state, "voided")
        self.assertFalse(entry.msp_invoice_line_id)
        third = self.bill(date(2026, 2, 15), self.contract).line_ids
        self.assertEqual(third.state, "invoiced")

    def test_only_the_latest_billed_period_can_be_voided(self):
        first = self.bill(date(2026, 2, 15), self.contract).line_ids
        self.bill(date(2026, 3, 15), self.contract)
        with self.assertRaisesRegex(UserError, "later billed periods"):
            first.action_void_rebill()
        self.assertEqual(first.move_id.state, "draft")
        first.move_id.button_cancel()  # by hand: the period stays taken
        self.assertEqual(first.state, "invoiced")

    def test_variance_review_flags_and_posts_accepted(self):
        for n in range(4):
            self.asset(f"WS{n}", "workstation")
        self.snapshot(date(2026, 2, 14))
        first = self.bill(date(2026, 2, 15), self.contract).line_ids
        self.assertIn("first invoice", first.flags)
        self.asset("SRV", "server")
        for n in range(4, 8):
            self.asset(f"WS{n}", "workstation")
        self.snapshot(date(2026, 3, 14))
        self.contract.contract_line_fixed_ids.create(
            {"contract_id": self.contract.id, "product_id": self.p_endpoint.id,
             "name": "Managed servers", "price_unit": 90.0,
             "msp_qty_source": "assets", "msp_billing_class": "server"}
        )  # fmt: skip
        run = self.bill(date(2026, 3, 15), self.contract)
        second = run.line_ids
        self.assertIn("total +", second.flags)
        self.assertIn("unit class added or removed", second.flags)
        self.assertIn("endpoint +4", second.units_change)
        self.assertFalse(second.accepted)
        with self.assertRaises(UserError):  # nothing accepted: says so
            run.action_post_accepted()
        self.assertEqual(second.move_id.state, "draft", "flagged: waits for review")
        second.accepted = True
        run.action_post_accepted()
        self.assertEqual(second.move_id.state, "posted")
        self.assertEqual(run.state, "posted")

    def test_retainer_over_range_two_cycles_in_a_row(self):
        self.contract.write({"msp_retainer_min_hours": 5, "msp_retainer_max_hours": 12})
        ticket = self.ticket()
        self.entry(ticket, date(2026, 1, 20), 13.0)
        self.bill(date(2026, 2, 15), self.contract)
        self.assertFalse(self.contract.activity_ids)
        self.entry(ticket, date(2026, 2, 20), 14.0)
        self.bill(date(2026, 3, 15), self.contract)
        self.assertEqual(self.contract.msp_retainer_over_cycles, 2)
        # voiding and re-billing the last cycle does not count it twice
        self.contract.msp_run_line_ids.sorted("period_start")[-1].action_void_rebill()
        self.assertEqual(self.contract.msp_retainer_over_cycles, 2)
        listed = self.env.ref("msp_mrr_billing.action_msp_retainers_over")
        domain = [("msp_retainer_over_cycles", ">=", 1)]
        self.assertIn("msp_retainer_over_cycles", listed.domain)
        self.assertIn(self.contract, self.env["contract.contract"].search(domain))
        self.assertIn(
            "Pricing conversation: retainer exceeded twice",
            self.contract.activity_ids.mapped("summary"),
        )

    def test_show_sources(self):
        self.entry(self.ticket(), date(2026, 1, 20), 12.0)
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        action = line.action_show_sources()
        self.assertEqual(action["res_model"], "account.analytic.line")
        self.assertEqual(
            len(self.env["account.analytic.line"].search(action["domain"])), 1
        )
        endpoint = self.invoice_line(line, self.p_endpoint)
        action = endpoint.action_msp_show_sources()
        self.assertEqual(action["res_model"], "msp.asset.snapshot")


@tagged("post_install", "-at_install")
class TestScale(BillingCase):
    def test_more_than_1000_lines_without_line_recurrence_bill_once(self):
        """OCA contract 18.0.2.6.2 double-bills past ~1,000 lines with
        line_recurrence=False when its cron re-runs; the run cannot."""
        partners = self.env["res.partner"].create(
            [{"name": f"Scale {n}", "is_company": True} for n in range(340)]
        )
        contracts = self.env["contract.contract"]
        for partner in partners:
            contracts |= self.make_contract(
                partner,
                lines=[
                    {"product_id": self.p_base.id, "name": "Base", "quantity": 1,
                     "price_unit": 100.0},
                    {"product_id": self.p_endpoint.id, "name": "Endpoints",
                     "msp_qty_source": "assets", "msp_billing_class": "endpoint",
                     "price_unit": 40.0},
                    {"product_id": self.p_seat.id, "name": "Seats", "quantity": 3,
                     "price_unit": 20.0},
                ],
            )  # fmt: skip
        self.assertGreater(len(contracts.contract_line_ids), 1000)
        first = self.bill(date(2026, 2, 15), contracts)
        self.assertEqual(first.invoiced_count, 340)
        second = self.bill(date(2026, 2, 15), contracts)
        self.assertFalse(second.line_ids)
        moves = self.env["account.move"].search(
            [
                (
                    "invoice_line_ids.contract_line_id",
                    "in",
                    contracts.contract_line_ids.ids,
                )
            ]
        )
        self.assertEqual(len(moves), 340)
        self.assertEqual(
            set(contracts.mapped("recurring_next_date")), {date(2026, 3, 15)}
        )

    def _clients_billed(self, count, entries_each, day=date(2026, 2, 15)):
        """Queries to bill ``count`` new contracts (one client each, two
        endpoints, ``entries_each`` included and billable entries)."""
        clients = self.env["res.partner"].create(
            [{"name": f"Counted {n}", "is_company": True} for n in range(count)]
        )
        contracts = self.env["contract.contract"]
        for client in clients:
            contracts |= self.make_contract(client)
            self.asset(f"{client.name} PC1", "workstation", client=client)
            self.asset(f"{client.name} PC2", "laptop", client=client)
            ticket = self.ticket(client=client)
            for n in range(entries_each):
                self.entry(
                    ticket,
                    date(2026, 1, 16 + n % 15),
                    0.5,
                    kind="billable" if n % 4 == 0 else "included",
                )
        self.snapshot(date(2026, 2, 14), clients)
        run = self.env["msp.billing.run"].create({"billing_date": day})
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        run._bill(contracts)
        self.env.flush_all()
        self.assertEqual(run.invoiced_count, count)
        return self.env.cr.sql_log_count - before

    def test_queries_per_contract_are_bounded_whatever_the_entries(self):
        self._clients_billed(2, 2)  # warm caches
        few = self._clients_billed(4, 2)
        many = self._clients_billed(4, 40)
        self.assertLessEqual(
            many, few + 4, "the number of time entries adds no queries"
        )
        more = self._clients_billed(8, 2)
        per_contract = (more - few) / 4
        self.assertLessEqual(per_contract, 30, f"{per_contract} queries per contract")
