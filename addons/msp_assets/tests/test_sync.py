# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Each connector against a loopback fake of its vendor's API."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.msp_base.tests.common import role_user

from .common import AssetCase
from .fake_rmm import FakeDatto, FakeGraph, FakeNinjaOne, FakeServer, FakeTactical


@tagged("post_install", "-at_install")
class TestTacticalSync(AssetCase):
    def test_clients_sites_and_agents(self):
        with FakeServer(FakeTactical()) as server:
            source = self.make_source("tactical", server.url)
            run = self.sync(source)
        self.assertEqual(run.state, "done", run.error_ids.mapped("message"))
        self.assertEqual((run.created, run.pages), (3, 3))  # one page per site
        mapping = source.mapping_ids.sorted("org_ref")
        self.assertEqual(mapping.mapped("client_id"), self.acme | self.bravo)
        ws = self.assets(source, name="ACME-WS01")
        self.assertEqual(ws.client_id, self.acme)
        self.assertEqual(ws.serial_number, "7XK9ABC")
        self.assertEqual(ws.type_id, self.env.ref("msp_assets.asset_type_workstation"))
        self.assertEqual(ws.site, "HQ")
        self.assertEqual(str(ws.last_seen), "2024-05-01 12:34:56")
        srv = self.assets(source, name="ACME-SRV01")
        self.assertEqual(srv.type_id, self.env.ref("msp_assets.asset_type_server"))
        self.assertFalse(srv.serial_number)
        self.assertFalse(srv.model)  # "unknown make/model" is not a model
        diff = run.diff_ids.filtered(
            lambda d: d.client_id == self.acme and d.billing_class == "endpoint"
        )
        self.assertEqual((diff.count_before, diff.count_after, diff.added), (0, 1, 1))

    def test_wrong_key_fails_the_run_with_the_servers_words(self):
        with FakeServer(FakeTactical()) as server:
            source = self.make_source("tactical", server.url, api_key="wrong")
            run = self.sync(source)
        self.assertEqual(run.state, "failed")
        self.assertEqual(run.error_ids.http_status, 401)
        self.assertIn("Invalid token", run.error_ids.body)
        self.assertFalse(self.assets(source))


@tagged("post_install", "-at_install")
class TestNinjaOneSync(AssetCase):
    def run_ninja(self, app=None, **values):
        app = app or FakeNinjaOne()
        with FakeServer(app) as server:
            source = self.make_source("ninjaone", server.url, page_size=2, **values)
            run = self.sync(source)
        return app, source, run

    def test_keyset_pages_and_mapping(self):
        app, source, run = self.run_ninja()
        self.assertEqual(run.state, "done", run.error_ids.mapped("message"))
        self.assertEqual(run.created, 5)
        self.assertEqual(run.unmapped, 1)  # "Unmapped Prospect" has no client
        prospect = source.mapping_ids.filtered(lambda m: m.org_ref == "14")
        self.assertFalse(prospect.client_id)
        pages = [p for _m, p, _h in app.requests if "devices-detailed" in p]
        self.assertEqual(len(pages), 4)  # 2 + 2 + 2, then an empty page ends it
        self.assertIn("after=1043", pages[1])
        fw = self.assets(source, name="ACME-FW01")
        self.assertEqual(fw.type_id, self.env.ref("msp_assets.asset_type_firewall"))
        self.assertEqual(fw.billing_class, "network")
        mac = self.assets(source, name="BRAVO-MBP02")
        self.assertEqual(
            (mac.manufacturer, mac.os_name), ("Apple Inc.", "macOS Sonoma")
        )
        self.assertEqual(mac.os_version, "14.4 23E224")

    def test_429_waits_as_told_and_carries_on(self):
        app = FakeNinjaOne()
        app.fail("devices-detailed", 429, {"error": "slow down"}, {"Retry-After": "3"})
        _app, _source, run = self.run_ninja(app)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.created, 5)
        self.assertIn(3, self.waits)

    def test_500_mid_run_keeps_finished_pages_and_marks_nothing_stale(self):
        _app, source, run = self.run_ninja()
        kept = self.assets(source)
        self.assertEqual(len(kept), 5)
        app = FakeNinjaOne()
        app.data["devices"] = app.data["devices"][:2] + [
            dict(d, id=d["id"] + 5000) for d in app.data["devices"][2:]
        ]
        # the second page answers 500 more times than the retries allow
        app.fail("devices-detailed", 500, "Internal Server Error", times=5, after=1)
        with FakeServer(app) as server:
            source.base_url = server.url
            run = self.sync(source)
        self.assertEqual(run.state, "failed")
        self.assertFalse(run.complete)
        self.assertEqual(run.error_ids.http_status, 500)
        self.assertIn("Internal Server Error", run.error_ids.body)
        self.assertEqual(run.pages, 1)
        self.assertFalse(self.assets(source, stale=True))  # incomplete: no stale

    def test_unseen_assets_go_stale_only_after_a_complete_pass(self):
        _app, source, _run = self.run_ninja()
        app = FakeNinjaOne()
        app.data["devices"] = [d for d in app.data["devices"] if d["id"] != 1043]
        with FakeServer(app) as server:
            source.base_url = server.url
            run = self.sync(source)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.went_stale, 1)
        gone = self.assets(source, name="ACME-SRV01")
        self.assertTrue(gone.stale)
        self.assertEqual(gone.state, "active")  # never retired by the sync alone
        self.assertTrue(gone.exists())
        diff = run.diff_ids.filtered(lambda d: d.billing_class == "server")
        self.assertEqual(
            (diff.count_before, diff.count_after, diff.went_stale), (1, 0, 1)
        )

    def test_retire_rule_after_n_stale_days(self):
        _app, source, _run = self.run_ninja(stale_retire_days=30)
        srv = self.assets(source, name="ACME-SRV01")
        srv.write({"stale": True, "stale_since": "2020-01-01"})
        app = FakeNinjaOne()
        app.data["devices"] = [d for d in app.data["devices"] if d["id"] != 1043]
        with FakeServer(app) as server:
            source.base_url = server.url
            run = self.sync(source)
        self.assertEqual(run.retired, 1)
        self.assertEqual(srv.state, "retired")

    def test_expired_token_is_fetched_again(self):
        app = FakeNinjaOne()
        with FakeServer(app) as server:
            source = self.make_source("ninjaone", server.url, page_size=2)
            original = app.route

            def expire_after_first_page(method, path, query, headers, body):
                if "after=1043" in path or query.get("after") == "1043":
                    if headers.get("Authorization") == "Bearer tok-1":
                        app.expire_tokens()
                return original(method, path, query, headers, body)

            app.route = expire_after_first_page
            run = self.sync(source)
        self.assertEqual(run.state, "done", run.error_ids.mapped("message"))
        self.assertEqual(run.created, 5)
        tokens = [p for m, p, _h in app.requests if p == "/ws/oauth/token"]
        self.assertEqual(len(tokens), 2)

    def test_malformed_json_fails_cleanly(self):
        app = FakeNinjaOne()
        app.fail("organizations", 200, '{"id": 12, "name": "Acme')
        _app, source, run = self.run_ninja(app)
        self.assertEqual(run.state, "failed")
        self.assertIn("malformed JSON", run.error_ids.message)
        self.assertIn('"name": "Acme', run.error_ids.body)
        self.assertFalse(self.assets(source))

    def test_a_device_moving_to_another_client(self):
        _app, source, _run = self.run_ninja()
        ws = self.assets(source, name="ACME-WS01")
        app = FakeNinjaOne()
        for device in app.data["devices"]:
            if device["id"] == 1042:
                device["organizationId"] = 13
        with FakeServer(app) as server:
            source.base_url = server.url
            run = self.sync(source)
        self.assertEqual(run.moved, 1)
        self.assertEqual(ws.client_id, self.bravo)
        self.assertEqual(len(self.assets(source)), 5)  # moved, not duplicated
        out = run.diff_ids.filtered(lambda d: d.client_id == self.acme)
        into = run.diff_ids.filtered(
            lambda d: d.client_id == self.bravo and d.billing_class == "endpoint"
        )
        self.assertEqual((out.moved_out, out.count_before, out.count_after), (1, 1, 0))
        self.assertEqual((into.moved_in, into.count_after), (1, 3))

    def test_unchanged_second_run_writes_nothing(self):
        _app, source, _run = self.run_ninja()
        before = self.assets(source).mapped("write_date")
        self.env.flush_all()
        with self.assertQueryCount(__system__=40):
            _app, _s, run = self.run_ninja_again(source)
        self.assertEqual((run.created, run.updated, run.unchanged), (0, 0, 5))
        self.assertEqual(self.assets(source).mapped("write_date"), before)
        self.assertFalse(run.diff_ids)

    def run_ninja_again(self, source):
        app = FakeNinjaOne()
        with FakeServer(app) as server:
            source.base_url = server.url
            return app, source, self.sync(source)

    def test_changed_fields_are_tracked_and_vendor_blanks_erase_nothing(self):
        _app, source, _run = self.run_ninja()
        mac = self.assets(source, name="BRAVO-MBP02")
        mac.warranty_end_date = "2027-01-31"
        self.env.flush_all()
        app = FakeNinjaOne()
        for device in app.data["devices"]:
            if device["id"] == 1102:
                device["os"]["releaseId"] = "14.5"
                device["system"]["model"] = None
        with FakeServer(app) as server:
            source.base_url = server.url
            run = self.sync(source)
        self.env.flush_all()
        self.assertEqual(run.updated, 1)
        self.assertEqual(mac.os_version, "14.5 23E224")
        self.assertEqual(mac.model, "MacBookPro18,3")  # a blank never erases
        self.assertEqual(str(mac.warranty_end_date), "2027-01-31")
        tracked = mac.message_ids.tracking_value_ids.filtered(
            lambda v: v.field_id.name == "os_version"
        )
        self.assertEqual(tracked.new_value_char, "14.5 23E224")

    def test_a_hand_made_record_with_the_same_serial_is_adopted(self):
        manual = self.env["msp.asset"].create(
            {
                "name": "Reception PC",
                "client_id": self.acme.id,
                "serial_number": "7XK9ABC",
                "warranty_end_date": "2026-12-31",
            }
        )
        _app, source, run = self.run_ninja()
        self.assertEqual(run.created, 4)
        self.assertEqual(manual.source_id, source)
        self.assertEqual(manual.external_id, "1042")
        self.assertEqual(manual.name, "ACME-WS01")
        self.assertEqual(str(manual.warranty_end_date), "2026-12-31")

    def test_a_serial_held_elsewhere_is_skipped_not_fatal(self):
        holder = self.env["msp.asset"].create(
            {
                "name": "Bravo spare",
                "client_id": self.bravo.id,
                "serial_number": "CZJ0123456",
            }
        )
        _app, source, run = self.run_ninja()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.created, 5)
        warning = run.error_ids.filtered(lambda e: e.level == "warning")
        self.assertIn("CZJ0123456", warning.message)
        self.assertFalse(self.assets(source, name="ACME-SRV01").serial_number)
        _app, _source, again = self.run_ninja_again(source)
        self.assertEqual(again.state, "done")
        self.assertEqual((again.updated, again.unchanged), (0, 5))
        self.assertEqual(holder.serial_number, "CZJ0123456")

    def test_one_client_only(self):
        app = FakeNinjaOne()
        with FakeServer(app) as server:
            source = self.make_source("ninjaone", server.url, page_size=2)
            self.sync(source)  # learns the organisations
            other = self.assets(source).filtered(lambda a: a.client_id == self.acme)
            app.data["devices"] = [d for d in app.data["devices"] if d["id"] != 1102]
            run = self.sync(source, self.bravo)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.client_id, self.bravo)
        self.assertTrue(any("df=org" in p for _m, p, _h in app.requests))
        self.assertEqual(self.assets(source, stale=True).name, "BRAVO-MBP02")
        self.assertFalse(other.filtered("stale"))


@tagged("post_install", "-at_install")
class TestDattoSync(AssetCase):
    def test_sites_devices_paging_and_deleted(self):
        app = FakeDatto()
        with FakeServer(app) as server:
            source = self.make_source("datto", server.url, page_size=2)
            run = self.sync(source)
        self.assertEqual(run.state, "done", run.error_ids.mapped("message"))
        self.assertEqual(run.created, 3)  # the deleted device is skipped
        self.assertEqual(run.pages, 2)
        laptop = self.assets(source, name="ACME-LT02")
        self.assertEqual(laptop.type_id, self.env.ref("msp_assets.asset_type_laptop"))
        self.assertEqual(str(laptop.last_seen), "2024-05-01 10:00:00")  # ISO
        ws = self.assets(source, name="ACME-WS01")
        self.assertEqual(str(ws.last_seen), "2024-05-01 12:34:56")  # epoch ms
        dc = self.assets(source, name="BRAVO-DC01")
        self.assertEqual((dc.client_id, dc.billing_class), (self.bravo, "server"))
        token = next(h for m, p, h in app.requests if p == "/auth/oauth/token")
        self.assertTrue(token["Authorization"].startswith("Basic "))

    def test_a_503_is_retried(self):
        app = FakeDatto()
        app.fail("/api/v2/account/devices", 503, "busy", times=1)
        with FakeServer(app) as server:
            source = self.make_source("datto", server.url)
            run = self.sync(source)
        self.assertEqual(run.state, "done")  # one 503, retried
        self.assertEqual(len(self.waits), 1)


@tagged("post_install", "-at_install")
class TestGraphSync(AssetCase):
    def graph_run(self, app=None):
        app = app or FakeGraph()
        with FakeServer(app) as server:
            source = self.make_source("graph", server.url, page_size=2)
            run = self.sync(source)
        return app, source, run

    def test_one_licence_asset_per_user_and_sku(self):
        app, source, run = self.graph_run()
        self.assertEqual(run.state, "done", run.error_ids.mapped("message"))
        licences = self.assets(source)
        self.assertEqual(len(licences), 4)
        self.assertEqual(set(licences.mapped("billing_class")), {"user_license"})
        adele = licences.filtered(lambda a: a.contact_id.email == "adelev@contoso.com")
        self.assertEqual(adele.name, "Microsoft 365 Business Premium: Adele Vance")
        self.assertEqual(adele.sku_part_number, "SPB")
        self.assertEqual(adele.contact_id.parent_id, self.acme)
        flow = licences.filtered(lambda a: a.sku_part_number == "FLOW_FREE")
        self.assertEqual(flow.name, "FLOW_FREE: Alex Wilber")
        user_pages = [h for _m, p, h in app.requests if p.startswith("/v1.0/users")]
        self.assertEqual(len(user_pages), 2)
        self.assertTrue(
            all(h.get("ConsistencyLevel") == "eventual" for h in user_pages)
        )
        diff = run.diff_ids.filtered(lambda d: d.billing_class == "user_license")
        self.assertIn("+SPB x2", diff.licence_changes)

    def test_429_with_retry_after_on_users(self):
        app = FakeGraph()
        app.fail(
            "/v1.0/users",
            429,
            {"error": {"code": "TooManyRequests", "message": "Try later"}},
            {"Retry-After": "2"},
        )
        _app, _source, run = self.graph_run(app)
        self.assertEqual(run.state, "done")
        self.assertEqual(self.waits, [2])

    def test_a_removed_licence_goes_stale_and_leaves_the_count(self):
        _app, source, _run = self.graph_run()
        app = FakeGraph()
        app.data["users"][1]["assignedLicenses"] = app.data["users"][1][
            "assignedLicenses"
        ][1:]
        with FakeServer(app) as server:
            source.base_url = server.url
            source.token_url = f"{server.url}/{FakeGraph.tenant}/oauth2/v2.0/token"
            run = self.sync(source)
        self.assertEqual(run.went_stale, 1)
        diff = run.diff_ids.filtered(lambda d: d.billing_class == "user_license")
        self.assertEqual((diff.count_before, diff.count_after), (4, 3))
        self.assertIn("-SPB x1", diff.licence_changes)


@tagged("post_install", "-at_install")
class TestSourceConfiguration(AssetCase):
    def test_technicians_cannot_read_credentials(self):
        source = self.make_source("ninjaone", "http://127.0.0.1:9")
        tech = role_user(self.env, "as_tech", "group_msp_technician")
        manager = role_user(self.env, "as_mgr", "group_msp_service_manager")
        self.assertEqual(source.with_user(tech).name, "Test ninjaone")
        with self.assertRaises(AccessError):
            source.with_user(tech).read(["api_secret"])
        with self.assertRaises(AccessError):
            source.with_user(tech).write({"name": "x"})
        self.assertEqual(source.with_user(manager).api_secret, "ninja-secret")
        with self.assertRaises(AccessError):
            source.with_user(tech).action_sync_now()

    def test_cron_off_until_configured_and_wanted(self):
        source = self.env["msp.asset.source"].create(
            {"name": "Ninja", "kind": "ninjaone", "base_url": "http://127.0.0.1:9"}
        )
        self.assertTrue(source.cron_id)
        self.assertFalse(source.cron_id.active)
        source.schedule_enabled = True
        self.assertFalse(source.cron_id.active)  # no credentials yet
        source.write({"oauth_client_id": "id", "api_secret": "secret"})
        self.assertTrue(source.cron_id.active)
        self.assertIn(f"browse({source.id})", source.cron_id.code)
