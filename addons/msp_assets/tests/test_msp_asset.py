# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from odoo.addons.msp_base.tests.common import (
    assert_menus_for_role,
    menu_reachable,
    role_user,
)


@tagged("post_install", "-at_install")
class TestAssetAccess(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client = cls.env["res.partner"].create(
            {"name": "Asset Client", "is_company": True}
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other MSP"})

        def user(login, group):
            return role_user(cls.env, login, group)

        cls.tech = user("ta_tech", "group_msp_technician")
        cls.manager = user("ta_mgr", "group_msp_service_manager")
        cls.billing = user("ta_bill", "group_msp_billing")

    def test_technician_records_but_cannot_delete(self):
        asset = (
            self.env["msp.asset"]
            .with_user(self.tech)
            .create({"name": "AC-LT-1", "client_id": self.client.id})
        )
        asset.serial_number = "SN-1"
        with self.assertRaises(AccessError):
            asset.unlink()
        asset.with_user(self.manager).unlink()
        self.assertFalse(asset.exists())

    def test_billing_reads_only(self):
        asset = self.env["msp.asset"].create(
            {"name": "AC-SRV-1", "client_id": self.client.id}
        )
        self.assertEqual(asset.with_user(self.billing).name, "AC-SRV-1")
        with self.assertRaises(AccessError):
            asset.with_user(self.billing).write({"name": "renamed"})

    def test_other_company_assets_hidden(self):
        self.env["msp.asset"].create(
            {
                "name": "FOREIGN-1",
                "client_id": self.client.id,
                "company_id": self.other_company.id,
            }
        )
        found = (
            self.env["msp.asset"]
            .with_user(self.tech)
            .search([("name", "=", "FOREIGN-1")])
        )
        self.assertFalse(found)

    def test_changes_are_tracked(self):
        asset = self.env["msp.asset"].create(
            {"name": "AC-AP-1", "client_id": self.client.id}
        )
        self.env.cr.flush()  # end of the creating transaction's tracking
        asset.serial_number = "AP-SERIAL"
        self.env.cr.flush()  # precommit hooks write the tracking values
        tracked = asset.message_ids.tracking_value_ids.filtered(
            lambda v: v.field_id.name == "serial_number"
        )
        self.assertEqual(tracked.new_value_char, "AP-SERIAL")

    def test_types_carry_a_billing_class_and_tickets_link_assets(self):
        laptop = self.env.ref("msp_assets.asset_type_laptop")
        self.assertEqual(laptop.billing_class, "endpoint")
        self.assertEqual(
            self.env.ref("msp_assets.asset_type_m365_license").billing_class,
            "user_license",
        )
        asset = self.env["msp.asset"].create(
            {"name": "AC-LT-9", "client_id": self.client.id, "type_id": laptop.id}
        )
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Laptop fan loud",
                "description": "<p>x</p>",
                "msp_asset_id": asset.id,
            }
        )
        self.assertEqual(ticket.msp_asset_type_id, laptop)

    def test_menus_per_role(self):
        assert_menus_for_role(
            self,
            [
                "msp_assets.menu_msp_assets",
                "msp_assets.menu_msp_assets_warranty",
                "msp_assets.menu_msp_assets_old",
                "msp_assets.menu_msp_assets_not_seen",
            ],
            self.tech,
        )
        reconciliation = self.env.ref("msp_assets.menu_msp_asset_reconciliation")
        self.assertTrue(menu_reachable(reconciliation, self.billing))
        self.assertFalse(menu_reachable(reconciliation, self.tech))

    def test_billing_reads_snapshots_and_reconciles_technicians_do_not(self):
        self.env["msp.asset"].create(
            {
                "name": "SNAP-1",
                "client_id": self.client.id,
                "type_id": self.env.ref("msp_assets.asset_type_server").id,
            }
        )
        Snapshot = self.env["msp.asset.snapshot"]
        Snapshot.take(clients=self.client)
        rows = Snapshot.with_user(self.billing).search(
            [("client_id", "=", self.client.id)]
        )
        self.assertEqual(rows.mapped("count"), [1])
        wizard = self.env["msp.asset.reconciliation"].with_user(self.billing).create({})
        wizard.with_context(queue_job__no_delay=True).action_compute()
        with self.assertRaises(AccessError):
            self.env["msp.asset.reconciliation"].with_user(self.tech).create({})
        with self.assertRaises(AccessError):
            Snapshot.with_user(self.tech).create(
                {
                    "date": "2026-11-30",
                    "client_id": self.client.id,
                    "company_id": self.env.company.id,
                    "billing_class": "endpoint",
                }
            )

    def test_a_service_manager_configures_a_source_and_its_nightly_sync(self):
        """Found in a browser walk: saving credentials as a service manager
        read the source's cron as that user (ir.cron: administrators only)."""
        Source = self.env["msp.asset.source"].with_user(self.manager)
        source = Source.create(
            {"name": "Tactical", "kind": "tactical", "base_url": "https://rmm.test"}
        )
        self.assertFalse(source.sudo().cron_id.active)
        source.write({"api_key": "key", "schedule_enabled": True})
        self.assertTrue(source.sudo().cron_id.active)
        source.write({"api_key": False})
        self.assertFalse(source.sudo().cron_id.active)
