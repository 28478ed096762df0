# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest import mock

from odoo.tests import TransactionCase

from .fake_rmm import FakeGraph


class AssetCase(TransactionCase):
    """Two client companies named like the fixtures' organisations, so the
    sync maps them by name."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.acme = Partner.create({"name": "Acme Corp", "is_company": True})
        cls.bravo = Partner.create({"name": "Bravo Legal", "is_company": True})
        cls.waits = []

    def capture_notifications(self):
        """The browser notifications sent during the test, as (user, kind,
        message) tuples, instead of the bus."""
        notified = []
        users = type(self.env["res.users"])
        patcher = mock.patch.object(
            users,
            "_bus_send",
            lambda user, kind, message, **kw: notified.append((user, kind, message)),
        )
        patcher.start()
        self.addCleanup(patcher.stop)
        return notified

    def make_source(self, kind, url, **values):
        secrets = {
            "tactical": {"api_key": "tactical-key"},
            "ninjaone": {"oauth_client_id": "ninja-id", "api_secret": "ninja-secret"},
            "datto": {"api_key": "datto-key", "api_secret": "datto-secret"},
            "graph": {
                "oauth_client_id": "graph-id",
                "api_secret": "graph-secret",
                "tenant_id": FakeGraph.tenant,
                "client_id": self.acme.id,
                "token_url": f"{url}/{FakeGraph.tenant}/oauth2/v2.0/token",
            },
        }[kind]
        return self.env["msp.asset.source"].create(
            {
                "name": f"Test {kind}",
                "kind": kind,
                "base_url": url,
                "max_retries": 2,
                **secrets,
                **values,
            }
        )

    def sync(self, source, client=None):
        return source.with_context(msp_sync_sleep=self.waits.append)._sync(client)

    def assets(self, source, **domain):
        return self.env["msp.asset"].search(
            [("source_id", "=", source.id)]
            + [(key, "=", value) for key, value in domain.items()]
        )
