# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from freezegun import freeze_time
from odoo.tests import tagged

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestUnitsAsOfCycleEnd(BillingCase):
    """Units are counted as the inventory was on the cycle's last day,
    whatever day the run and whichever snapshots exist."""

    def endpoints(self, run_line):
        return self.invoice_line(run_line, self.p_endpoint).quantity

    def test_skipped_nightly_job_bills_the_cycle_end_not_month_end_or_today(self):
        for n in range(3):
            self.asset(f"WS{n}", "workstation")
        with freeze_time("2026-01-31 22:00:00"):
            self.snapshot(date(2026, 1, 31))  # the month-end job ran
        with freeze_time("2026-02-03 10:00:00"):
            self.asset("WS3", "workstation", install_date=date(2026, 2, 3))
            self.asset("WS4", "workstation", install_date=date(2026, 2, 3))
        # the job of 14 February (the cycle's last day) did not run; two
        # more endpoints come after the cycle end
        with freeze_time("2026-02-20 10:00:00"):
            self.asset("WS5", "workstation", install_date=date(2026, 2, 20))
            self.asset("WS6", "workstation", install_date=date(2026, 2, 20))
        line = self.bill(date(2026, 2, 25), self.contract).line_ids
        self.assertEqual(line.state, "invoiced", line.error)
        # not 3 (the month-end snapshot) nor 7 (today's inventory)
        self.assertEqual(self.endpoints(line), 5)
        self.assertEqual(line.move_id.amount_untaxed, 500 + 5 * 40)  # 700
        self.assertNotIn("units:", line.flags)
        kept = self.env["msp.asset.snapshot"].search(
            [("client_id", "=", self.client.id), ("date", "=", date(2026, 2, 14))]
        )
        self.assertEqual(kept.mapped("count"), [5])
        self.assertTrue(kept.reconstructed, "taken after its date")
        on_time = self.env["msp.asset.snapshot"].search(
            [("client_id", "=", self.client.id), ("date", "=", date(2026, 1, 31))]
        )
        self.assertFalse(on_time.reconstructed)
        # Show sources lists the row of the cycle end, a count that existed
        action = line.action_show_sources()
        shown = self.env["msp.asset.snapshot"].search(action["domain"])
        self.assertIn(kept, shown)

    def test_a_late_run_counts_retirements_and_returns_by_their_day(self):
        assets = [self.asset(f"WS{n}", "workstation") for n in range(4)]
        with freeze_time("2026-02-10 09:00:00"):
            assets[0].action_retire()  # before the cycle end: not billed
        with freeze_time("2026-02-28 09:00:00"):
            assets[1].action_retire()  # after it: still billed for February
            assets[2].write({"state": "retired", "retired_date": date(2026, 2, 12)})
        with freeze_time("2026-03-02 09:00:00"):
            assets[3].stale = True
        line = self.bill(date(2026, 3, 5), self.contract).line_ids
        self.assertEqual(self.endpoints(line), 2)  # WS1 and WS3
        self.assertEqual(line.move_id.amount_untaxed, 500 + 2 * 40)  # 580
        history = self.env["msp.asset.history"].search(
            [("asset_id", "=", assets[2].id)]
        )
        self.assertEqual(
            (history.date, history.status), (date(2026, 2, 12), "counted"),
            "a retirement takes effect on its retirement date",
        )  # fmt: skip

    def test_an_asset_moving_between_clients_mid_cycle(self):
        other = self.env["res.partner"].create(
            {"name": "Sister Company", "is_company": True}
        )
        other_contract = self.make_contract(other)
        moving = [self.asset(f"WS{n}", "workstation") for n in range(3)]
        with freeze_time("2026-02-10 09:00:00"):
            moving[0].client_id = other  # in the first cycle
        with freeze_time("2026-03-01 09:00:00"):
            moving[1].client_id = other  # in the second
        contracts = self.contract | other_contract
        run = self.bill(date(2026, 2, 25), contracts)
        mine, theirs = (
            run.line_ids.filtered(lambda ln, c=c: ln.contract_id == c)
            for c in contracts
        )
        self.assertEqual((self.endpoints(mine), self.endpoints(theirs)), (2, 1))
        self.assertEqual(mine.move_id.amount_untaxed, 500 + 2 * 40)  # 580
        self.assertEqual(theirs.move_id.amount_untaxed, 500 + 1 * 40)  # 540
        run = self.bill(date(2026, 3, 15), contracts)
        mine, theirs = (
            run.line_ids.filtered(lambda ln, c=c: ln.contract_id == c)
            for c in contracts
        )
        self.assertEqual((self.endpoints(mine), self.endpoints(theirs)), (1, 2))
        self.assertEqual(mine.move_id.amount_untaxed, 500 + 1 * 40)  # 540
        self.assertEqual(theirs.move_id.amount_untaxed, 500 + 2 * 40)  # 580
        self.assertEqual(mine.units_change, "endpoint -1")

    def test_a_gap_in_the_history_flags_the_contract(self):
        self.asset("WS0", "workstation")
        self.env["ir.config_parameter"].set_param(
            "msp_assets.history_since", "2026-03-01"
        )
        line = self.bill(date(2026, 2, 15), self.contract).line_ids
        self.assertEqual(self.endpoints(line), 1)
        self.assertIn("were not recorded", line.flags)
        self.assertFalse(line.accepted)
