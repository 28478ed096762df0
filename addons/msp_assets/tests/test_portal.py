# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Assets are MSP data: a portal user reads none over JSON-RPC, not even
their own company's."""

from odoo.tests import HttpCase, tagged

from odoo.addons.msp_base.tests.common import PortalHttpMixin, make_portal_client


@tagged("post_install", "-at_install")
class TestAssetsPortal(PortalHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_a, _contact_a, cls.user_a = make_portal_client(
            cls.env, "Asset Portal Alpha", "asp_alpha"
        )
        cls.client_b, _contact_b, _user_b = make_portal_client(
            cls.env, "Asset Portal Bravo", "asp_bravo"
        )
        Asset = cls.env["msp.asset"]
        cls.asset_a = Asset.create({"name": "ALPHA-PC-1", "client_id": cls.client_a.id})
        cls.asset_b = Asset.create(
            {"name": "BRAVO-SRV-1", "client_id": cls.client_b.id}
        )

    def test_portal_reads_no_asset(self):
        self.login_as(self.user_a)
        self.assertRpcDenied("msp.asset", self.asset_b.ids)
        self.assertRpcDenied("msp.asset", self.asset_a.ids)
        _result, error = self.rpc("msp.asset", "search_read", [], fields=["name"])
        self.assertEqual(error, "odoo.exceptions.AccessError")
        _result, error = self.rpc(
            "msp.asset", "write", self.asset_a.ids, {"name": "mine now"}
        )
        self.assertEqual(error, "odoo.exceptions.AccessError")
        self.asset_a.invalidate_recordset()
        self.assertEqual(self.asset_a.name, "ALPHA-PC-1")
