# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The affected device on the portal's new-ticket form: a client is offered
and may name only their own client's active devices; another client's
device id (or a retired one, or garbage) is refused with a 400 and nothing
is stored."""

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.msp_base.tests.common import PortalHttpMixin, make_portal_client


@tagged("post_install", "-at_install")
class TestPortalDevice(PortalHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_a, cls.contact_a, cls.user_a = make_portal_client(
            cls.env, "Device Portal Alpha", "dvp_alpha"
        )
        cls.client_b, cls.contact_b, cls.user_b = make_portal_client(
            cls.env, "Device Portal Bravo", "dvp_bravo"
        )
        Asset = cls.env["msp.asset"]
        laptop = cls.env.ref("msp_assets.asset_type_laptop")
        cls.laptop_a = Asset.create(
            {
                "name": "ALPHA-LAPTOP-7",
                "client_id": cls.client_a.id,
                "contact_id": cls.contact_a.id,
                "type_id": laptop.id,
            }
        )
        cls.laptop_a2 = Asset.create(
            {
                "name": "ALPHA-LAPTOP-8",
                "client_id": cls.client_a.id,
                "type_id": laptop.id,
            }
        )
        cls.retired_a = Asset.create(
            {
                "name": "ALPHA-OLD-PC",
                "client_id": cls.client_a.id,
                "type_id": laptop.id,
                "state": "retired",
            }
        )
        cls.server_b = Asset.create(
            {
                "name": "BRAVO-SRV-9",
                "client_id": cls.client_b.id,
                "type_id": cls.env.ref("msp_assets.asset_type_server").id,
            }
        )

    def submit(self, device):
        data = {
            "subject": "Laptop will not boot",
            "description": "Black screen",
            "urgency": "stopped",
            "impact": "me",
            "device": device,
            "csrf_token": self.csrf_token(),
        }
        return self.url_open("/submitted/ticket", data=data, allow_redirects=False)

    def tickets(self):
        return self.env["helpdesk.ticket"].search(
            [("partner_id", "in", (self.contact_a | self.contact_b).ids)]
        )

    def test_form_offers_own_active_devices_only(self):
        self.login_as(self.user_a)
        page = self.url_open("/new/ticket")
        self.assertIn('name="device"', page.text)
        self.assertIn("ALPHA-LAPTOP-7", page.text)
        self.assertIn("ALPHA-LAPTOP-8", page.text)
        self.assertIn("(yours)", page.text)
        self.assertNotIn("ALPHA-OLD-PC", page.text)
        self.assertNotIn("BRAVO-SRV-9", page.text)
        self.login_as(self.user_b)
        page = self.url_open("/new/ticket")
        self.assertIn("BRAVO-SRV-9", page.text)
        self.assertNotIn("ALPHA-LAPTOP", page.text)

    def test_own_device_stored_and_shown(self):
        self.login_as(self.user_a)
        response = self.submit(str(self.laptop_a2.id))
        self.assertIn(response.status_code, (302, 303))
        ticket = self.tickets()
        self.assertEqual(ticket.msp_asset_id, self.laptop_a2)
        page = self.url_open(response.headers["Location"])
        self.assertIn("ALPHA-LAPTOP-8", page.text)

    @mute_logger("odoo.http")
    def test_other_clients_device_refused(self):
        self.login_as(self.user_a)
        for device in (
            str(self.server_b.id),
            str(self.retired_a.id),
            "x1",
            "-3",
            "1e3",
        ):
            response = self.submit(device)
            self.assertEqual(response.status_code, 400, device)
            self.assertIn("Please choose the device from the list", response.text)
            self.assertNotIn("BRAVO-SRV-9", response.text)
        self.assertFalse(self.tickets())
        # and no device at all is fine (the requester's only device, if any,
        # is filled in by the back office's rule)
        response = self.submit("")
        self.assertIn(response.status_code, (302, 303))
        self.assertEqual(len(self.tickets()), 1)
        self.assertNotEqual(self.tickets().msp_asset_id, self.server_b)
