# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Plain unit tests of the connector helpers (no database involved)."""

from datetime import datetime

from odoo.tests import BaseCase, tagged

from ..lib.connectors import clean_serial, to_utc
from ..lib.http import ConnectorError, retry_after_seconds, truncate


@tagged("post_install", "-at_install")
class TestConnectorHelpers(BaseCase):
    def test_timestamps_in_every_vendor_shape(self):
        expected = datetime(2024, 5, 1, 12, 34, 56)
        self.assertEqual(to_utc("2024-05-01T12:34:56Z"), expected)
        self.assertEqual(to_utc("2024-05-01T14:34:56+02:00"), expected)
        self.assertEqual(to_utc(1714566896), expected)  # NinjaOne: seconds
        self.assertEqual(to_utc(1714566896000), expected)  # Datto: milliseconds
        self.assertEqual(to_utc("1714566896000"), expected)
        self.assertIsNone(to_utc(None))
        self.assertIsNone(to_utc("not a date"))

    def test_placeholder_serials_are_dropped(self):
        self.assertEqual(clean_serial("To be filled by O.E.M."), "")
        self.assertEqual(clean_serial(" 0 "), "")
        self.assertEqual(clean_serial(" 7XK9ABC "), "7XK9ABC")

    def test_retry_after_seconds_or_date(self):
        self.assertEqual(retry_after_seconds("7"), 7)
        self.assertEqual(retry_after_seconds("99999"), 300)  # capped
        self.assertIsNone(retry_after_seconds(None))
        now = datetime.fromisoformat("2024-05-01T12:00:00+00:00")
        later = "Wed, 01 May 2024 12:00:30 GMT"
        self.assertEqual(retry_after_seconds(later, now=now), 30)

    def test_errors_keep_a_truncated_body(self):
        error = ConnectorError("boom", status=500, url="http://x", body="y" * 5000)
        self.assertEqual(len(error.body), 501)
        self.assertIn("500", str(error))
        self.assertEqual(truncate(b"abc"), "abc")
