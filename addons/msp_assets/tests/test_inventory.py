# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import io
import os
from datetime import date, timedelta

import openpyxl
import psycopg2
from freezegun import freeze_time
from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import AssetCase


@tagged("post_install", "-at_install")
class TestUniqueness(AssetCase):
    def test_serial_unique_per_company_with_a_clear_message(self):
        Asset = self.env["msp.asset"]
        Asset.create({"name": "A", "client_id": self.acme.id, "serial_number": "S1"})
        with self.assertRaisesRegex(ValidationError, "S1 is already used by .*A"):
            Asset.create(
                {"name": "B", "client_id": self.bravo.id, "serial_number": "S1"}
            )
        with self.assertRaisesRegex(ValidationError, "S2"):
            Asset.create(
                [
                    {"name": "C", "client_id": self.acme.id, "serial_number": "S2"},
                    {"name": "D", "client_id": self.acme.id, "serial_number": "S2"},
                ]
            )
        other = Asset.create({"name": "E", "client_id": self.acme.id})
        with self.assertRaisesRegex(ValidationError, "S1"):
            other.serial_number = "S1"
        # serials differing only by case are the same serial
        with self.assertRaisesRegex(ValidationError, "s1"):
            other.serial_number = "s1"
        # an archived asset gives its serial back
        Asset.search([("serial_number", "=", "S1")]).active = False
        other.serial_number = "S1"
        self.assertEqual(other.serial_number, "S1")

    def test_external_id_unique_per_client_and_source(self):
        source = self.make_source("tactical", "http://127.0.0.1:9")
        Asset = self.env["msp.asset"]
        values = {"client_id": self.acme.id, "source_id": source.id, "external_id": "X"}
        Asset.create(dict(values, name="one"))
        with self.assertRaisesRegex(ValidationError, "same external ID X"):
            Asset.create(dict(values, name="two"))
        Asset.create(dict(values, name="three", client_id=self.bravo.id))

    def test_the_database_enforces_it_too(self):
        Asset = self.env["msp.asset"]
        first = Asset.create(
            {"name": "A", "client_id": self.acme.id, "serial_number": "DB1"}
        )
        second = Asset.create({"name": "B", "client_id": self.acme.id})
        self.env.flush_all()
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.ExclusionViolation),
        ):
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    "UPDATE msp_asset SET serial_number = 'DB1' WHERE id = %s",
                    [second.id],
                )
        self.assertTrue(first.exists())


@tagged("post_install", "-at_install")
class TestTicketsAndAssets(AssetCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.person = cls.env["res.partner"].create(
            {"name": "Jo Doe", "parent_id": cls.acme.id, "email": "jo@acme.test"}
        )
        cls.laptop = cls.env["msp.asset"].create(
            {
                "name": "ACME-LT-77",
                "client_id": cls.acme.id,
                "contact_id": cls.person.id,
                "type_id": cls.env.ref("msp_assets.asset_type_laptop").id,
                "warranty_end_date": date.today() + timedelta(days=30),
            }
        )
        cls.hardware = cls.env["helpdesk.ticket.category"].create(
            {"name": "Hardware fault", "msp_requires_asset": True}
        )
        cls.done = cls.env["helpdesk.ticket.stage"].search(
            [("closed", "=", True)], limit=1
        )

    def ticket(self, **values):
        return self.env["helpdesk.ticket"].create(
            {"name": "Broken", "description": "<p>x</p>", **values}
        )

    def test_the_requesters_only_device_is_filled_in(self):
        ticket = self.ticket(partner_id=self.person.id)
        self.assertEqual(ticket.msp_asset_id, self.laptop)
        self.assertEqual(ticket.msp_asset_warranty_state, "expiring")
        # a licence is not a device: still exactly one device
        self.env["msp.asset"].create(
            {
                "name": "M365: Jo",
                "client_id": self.acme.id,
                "contact_id": self.person.id,
                "type_id": self.env.ref("msp_assets.asset_type_m365_license").id,
            }
        )
        self.assertEqual(
            self.ticket(partner_id=self.person.id).msp_asset_id, self.laptop
        )
        # two devices: no guess
        self.env["msp.asset"].create(
            {
                "name": "ACME-WS-78",
                "client_id": self.acme.id,
                "contact_id": self.person.id,
                "type_id": self.env.ref("msp_assets.asset_type_workstation").id,
            }
        )
        self.assertFalse(self.ticket(partner_id=self.person.id).msp_asset_id)

    def test_an_explicit_asset_wins(self):
        firewall = self.env["msp.asset"].create(
            {"name": "FW", "client_id": self.acme.id}
        )
        ticket = self.ticket(partner_id=self.person.id, msp_asset_id=firewall.id)
        self.assertEqual(ticket.msp_asset_id, firewall)

    def test_hardware_tickets_need_their_asset_to_close(self):
        other = self.env["res.partner"].create(
            {"name": "No Device", "parent_id": self.bravo.id}
        )
        ticket = self.ticket(partner_id=other.id, category_id=self.hardware.id)
        with self.assertRaisesRegex(
            UserError, "needs its asset before it can be closed"
        ):
            ticket.stage_id = self.done
        action = ticket.action_msp_create_asset()
        self.assertEqual(action["context"]["default_client_id"], self.bravo.id)
        self.env["msp.asset"].with_context(**action["context"]).create(
            {"name": "BRAVO-NEW"}
        )
        self.assertEqual(ticket.msp_asset_id.name, "BRAVO-NEW")
        self.assertEqual(ticket.msp_asset_id.client_id, self.bravo)
        ticket.stage_id = self.done
        self.assertTrue(ticket.stage_id.closed)

    def test_non_hardware_tickets_close_without_asset(self):
        ticket = self.ticket(partner_id=self.bravo.id)
        ticket.stage_id = self.done
        self.assertTrue(ticket.stage_id.closed)

    def test_asset_lists_its_tickets(self):
        ticket = self.ticket(partner_id=self.person.id)
        self.assertEqual(self.laptop.ticket_count, 1)
        action = self.laptop.action_view_tickets()
        self.assertEqual(self.env["helpdesk.ticket"].search(action["domain"]), ticket)


@tagged("post_install", "-at_install")
class TestSnapshotsAndLicences(AssetCase):
    def make(self, name, xmlid, **values):
        return self.env["msp.asset"].create(
            {
                "name": name,
                "client_id": self.acme.id,
                "type_id": self.env.ref(f"msp_assets.asset_type_{xmlid}").id,
                **values,
            }
        )

    def test_snapshot_counts_per_billing_class_and_sku(self):
        self.make("WS1", "workstation")
        self.make("LT1", "laptop")
        self.make("SRV1", "server")
        self.make("SPARE", "laptop", state="spare")
        self.make("GONE", "workstation", stale=True)
        self.make("L1", "m365_license", sku_part_number="SPB")
        self.make("L2", "m365_license", sku_part_number="SPB")
        self.make("L3", "m365_license", sku_part_number="EXCHANGESTANDARD")
        day = date.today()  # (a past day is counted from the history)
        Snapshot = self.env["msp.asset.snapshot"]
        with self.assertQueryCount(__system__=6):
            Snapshot.take(day, self.acme)
        rows = Snapshot.search([("client_id", "=", self.acme.id), ("date", "=", day)])
        got = {
            (r.billing_class, r.sku_part_number): (r.count, r.stale_count) for r in rows
        }
        self.assertEqual(
            got,
            {
                ("endpoint", ""): (2, 1),
                ("server", ""): (1, 0),
                ("user_license", "SPB"): (2, 0),
                ("user_license", "EXCHANGESTANDARD"): (1, 0),
            },
        )
        self.assertEqual(
            Snapshot.counts(self.acme, day),
            {
                (self.acme.id, "endpoint"): 2,
                (self.acme.id, "server"): 1,
                (self.acme.id, "user_license"): 3,
            },
        )
        # retaking the date replaces it
        self.make("SRV2", "server")
        Snapshot.take(day, self.acme)
        self.assertEqual(Snapshot.counts(self.acme, day)[(self.acme.id, "server")], 2)

    def test_offboarding_closes_licences_and_the_next_snapshot_shows_it(self):
        person = self.env["res.partner"].create(
            {"name": "Leaver", "parent_id": self.acme.id}
        )
        installed = date(2026, 1, 1)  # (the count of a past day has them)
        licence = self.make(
            "SPB: Leaver",
            "m365_license",
            contact_id=person.id,
            sku_part_number="SPB",
            install_date=installed,
        )
        laptop = self.make(
            "LEAVER-LT", "laptop", contact_id=person.id, install_date=installed
        )
        Snapshot = self.env["msp.asset.snapshot"]
        Snapshot.take(date(2026, 10, 31), self.acme)
        person.active = False
        self.assertEqual(licence.state, "retired")
        # the user's today (retirement is dated in their time zone)
        today = fields.Date.context_today(licence)
        self.assertEqual(licence.retired_date, today)
        self.assertEqual(laptop.state, "active")  # devices are handed back by people
        Snapshot.take(today, self.acme)
        self.assertEqual(
            Snapshot.counts(self.acme, date(2026, 10, 31))[
                (self.acme.id, "user_license")
            ],
            1,
        )
        self.assertEqual(
            Snapshot.counts(self.acme, today)[(self.acme.id, "user_license")],
            0,
        )
        # the seat that went is stored as 0 for its SKU, not left out
        gone = Snapshot.search(
            [("client_id", "=", self.acme.id), ("date", "=", today),
             ("sku_part_number", "=", "SPB")]
        )  # fmt: skip
        self.assertEqual(gone.count, 0)

    def test_a_late_snapshot_counts_the_inventory_of_its_day(self):
        other = self.env["res.partner"].create({"name": "Other", "is_company": True})
        installed = {"install_date": date(2026, 1, 1)}
        moved = self.make("WS-MOVED", "workstation", **installed)
        retired = self.make("WS-RETIRED", "workstation", **installed)
        self.make("WS-LATE", "workstation", install_date=date(2026, 3, 1))
        with freeze_time("2026-02-20 10:00:00"):
            moved.client_id = other
            retired.action_retire()
        Snapshot = self.env["msp.asset.snapshot"]
        clients = self.acme | other
        Snapshot.take(date(2026, 2, 14), clients)
        Snapshot.take(date(2026, 2, 28), clients)
        got = {
            (s.date, s.client_id.name): (s.count, s.reconstructed)
            for s in Snapshot.search([("client_id", "in", clients.ids)])
        }
        self.assertEqual(
            got,
            {
                (date(2026, 2, 14), self.acme.name): (2, True),
                (date(2026, 2, 28), self.acme.name): (0, True),
                (date(2026, 2, 28), "Other"): (1, True),
            },
        )
        history = self.env["msp.asset.history"].search([("asset_id", "=", moved.id)])
        self.assertEqual(
            (history.date, history.client_id, history.status),
            (date(2026, 2, 20), self.acme, "counted"),
        )
        today = Snapshot.take(clients=clients)
        self.assertTrue(today)
        self.assertFalse(any(today.mapped("reconstructed")), "taken on its day")

    def test_cron_snapshots_at_month_end(self):
        self.make("WS1", "workstation")
        Snapshot = self.env["msp.asset.snapshot"]
        # (billing adds its contracts' own cycle days to the month end)
        self.assertNotIn(self.acme, Snapshot._due_clients(date(2026, 11, 29)))
        self.assertIn(self.acme, Snapshot._due_clients(date(2026, 11, 30)))


@tagged("post_install", "-at_install")
class TestLifecycleAndReconciliation(AssetCase):
    def test_lifecycle_lists(self):
        today = date.today()
        Asset = self.env["msp.asset"]
        ws = self.env.ref("msp_assets.asset_type_workstation").id
        soon = Asset.create(
            {
                "name": "SOON",
                "client_id": self.acme.id,
                "type_id": ws,
                "warranty_end_date": today + timedelta(days=45),
            }
        )
        later = Asset.create(
            {
                "name": "LATER",
                "client_id": self.acme.id,
                "type_id": ws,
                "warranty_end_date": today + timedelta(days=200),
            }
        )
        old = Asset.create(
            {
                "name": "OLD",
                "client_id": self.acme.id,
                "type_id": ws,
                "purchase_date": today - timedelta(days=6 * 366),
            }
        )
        quiet = Asset.create(
            {
                "name": "QUIET",
                "client_id": self.acme.id,
                "type_id": ws,
                "last_seen": "2020-01-01 00:00:00",
            }
        )

        def listed(which):
            return Asset.search(Asset._action_lifecycle(which)["domain"])

        self.assertIn(soon, listed("warranty"))
        self.assertNotIn(later, listed("warranty"))
        self.assertIn(old, listed("old"))
        self.assertNotIn(soon, listed("old"))
        self.assertIn(quiet, listed("not_seen"))
        self.assertNotIn(old, listed("not_seen"))

    def test_renewal_without_crm_or_sale_is_an_activity_for_the_account_manager(self):
        manager = self.env["res.users"].create({"name": "AM", "login": "am_assets"})
        self.acme.user_id = manager
        Asset = self.env["msp.asset"]
        devices = Asset.create(
            [
                {
                    "name": n,
                    "client_id": self.acme.id,
                    "warranty_end_date": date.today() + timedelta(days=20),
                }
                for n in ("R1", "R2")
            ]
        )
        if "crm.lead" in self.env or "sale.order" in self.env:
            self.skipTest("CRM or Sales installed: the activity path does not apply")
        devices.action_plan_renewal()
        activity = self.acme.activity_ids
        self.assertEqual(activity.user_id, manager)
        self.assertIn("2 device(s)", activity.summary)
        self.assertIn("R1", str(activity.note))

    def test_reconciliation_flags_and_xlsx(self):
        source = self.make_source("tactical", "http://127.0.0.1:9")
        Asset = self.env["msp.asset"]
        ws = self.env.ref("msp_assets.asset_type_workstation").id
        for n in range(3):
            Asset.create(
                {
                    "name": f"RMM{n}",
                    "client_id": self.acme.id,
                    "type_id": ws,
                    "source_id": source.id,
                    "external_id": str(n),
                }
            )
        Asset.create({"name": "HAND", "client_id": self.acme.id, "type_id": ws})
        Asset.create(
            {
                "name": "ZOMBIE",
                "client_id": self.acme.id,
                "type_id": ws,
                "source_id": source.id,
                "external_id": "z",
                "state": "retired",
            }
        )
        self.env["msp.asset.snapshot"].create(
            {
                "date": date.today() - timedelta(days=5),
                "client_id": self.acme.id,
                "company_id": self.env.company.id,
                "billing_class": "endpoint",
                "count": 2,
            }
        )
        wizard = self.env["msp.asset.reconciliation"].create(
            {"client_ids": [(6, 0, self.acme.ids)]}
        )
        wizard.with_context(queue_job__no_delay=True).action_compute()
        line = wizard.line_ids
        self.assertEqual(
            (line.discovered, line.inventory, line.billed, line.under_billed),
            (4, 4, 2, 2),
        )
        self.assertEqual(line.retired_reporting, 1)
        self.assertIn("under-billing", line.flags)
        self.assertIn("retired still reporting", line.flags)
        book = openpyxl.load_workbook(io.BytesIO(wizard._xlsx()))
        sheet = book.active
        self.assertEqual(sheet.cell(2, 1).value, "Acme Corp")
        self.assertEqual(sheet.cell(2, 6).value, 2)
        action = wizard.action_export_xlsx()
        self.assertIn("/web/content/", action["url"])

    def test_refund_risk_when_billing_counts_more(self):
        ws = self.env.ref("msp_assets.asset_type_workstation").id
        self.env["msp.asset"].create(
            {"name": "ONLY", "client_id": self.acme.id, "type_id": ws}
        )
        self.env["msp.asset.snapshot"].create(
            {
                "date": date.today(),
                "client_id": self.acme.id,
                "company_id": self.env.company.id,
                "billing_class": "endpoint",
                "count": 3,
            }
        )
        wizard = self.env["msp.asset.reconciliation"].create(
            {"client_ids": [(6, 0, self.acme.ids)]}
        )
        wizard.with_context(queue_job__no_delay=True).action_compute()
        self.assertEqual(wizard.line_ids.refund_risk, 2)
        self.assertIn("refund risk", wizard.line_ids.flags)

    def test_a_class_still_billed_but_gone_from_the_inventory(self):
        self.env["msp.asset.snapshot"].create(
            {
                "date": date.today(),
                "client_id": self.acme.id,
                "company_id": self.env.company.id,
                "billing_class": "server",
                "count": 2,
            }
        )
        wizard = self.env["msp.asset.reconciliation"].create(
            {"client_ids": [(6, 0, self.acme.ids)]}
        )
        wizard.with_context(queue_job__no_delay=True).action_compute()
        line = wizard.line_ids
        self.assertEqual(line.billing_class, "server")
        self.assertEqual((line.inventory, line.billed, line.refund_risk), (0, 2, 2))


@tagged("post_install", "-at_install")
class TestImport(AssetCase):
    def test_csv_with_readable_headers(self):
        self.env["res.partner"].create(
            {"name": "Import Client Ltd", "is_company": True}
        )
        path = os.path.join(os.path.dirname(__file__), "assets_import.csv")
        with open(path, "rb") as handle:
            content = handle.read()
        wizard = self.env["base_import.import"].create(
            {
                "res_model": "msp.asset",
                "file": content,
                "file_type": "text/csv",
                "file_name": "assets_import.csv",
            }
        )
        options = {
            "has_headers": True,
            "quoting": '"',
            "separator": ",",
            "date_format": "%Y-%m-%d",
        }
        preview = wizard.parse_preview(options)
        self.assertNotIn("error", preview)
        matches = preview["matches"]
        fields = [
            matches[i][0] if matches.get(i) else False
            for i in range(len(preview["headers"]))
        ]
        self.assertEqual(
            fields,
            [
                "name",
                "client_id",
                "type_id",
                "serial_number",
                "manufacturer",
                "model",
                "warranty_end_date",
                "state",
                "site",
            ],
        )
        result = wizard.execute_import(fields, preview["headers"], options)
        self.assertFalse(
            [m for m in result["messages"] if m["type"] == "error"], result
        )
        assets = self.env["msp.asset"].search([("name", "like", "IMP-")])
        self.assertEqual(len(assets), 3)
        spare = assets.filtered(lambda a: a.name == "IMP-LT09")
        self.assertEqual(spare.state, "spare")
        self.assertEqual(spare.type_id, self.env.ref("msp_assets.asset_type_laptop"))
        self.assertEqual(str(spare.warranty_end_date), "2025-01-31")
