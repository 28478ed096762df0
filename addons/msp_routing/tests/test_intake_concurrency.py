# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Alert intake exactly once under real concurrency: deliveries run in
threads, each on its own database connection and transaction (committed),
through Odoo's own retry loop, as requests do on a real server. The test
cursor is not used (it would serialize everything)."""

import json
import random
import sys
import threading
import time
import traceback
import uuid
from collections import Counter

import psycopg2
import psycopg2.errors
from odoo import SUPERUSER_ID, api
from odoo.service.model import (
    MAX_TRIES_ON_CONCURRENCY_FAILURE,
    PG_CONCURRENCY_EXCEPTIONS_TO_RETRY,
)
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..lib.payload import FIELDS, signature_header
from ..models.helpdesk_ticket import ALERT_OPEN_INDEX

SECRET = "race-secret"


def signed(payload):
    body = json.dumps(payload).encode()
    timestamp = str(int(time.time()))
    return body, {
        "X-MSP-Timestamp": timestamp,
        "X-MSP-Signature": signature_header(SECRET, timestamp, body),
    }


@tagged("post_install", "-at_install")
class TestIntakeConcurrency(TransactionCase):
    """Committed data on separate cursors: cleaned up after each test."""

    def setUp(self):
        super().setUp()
        self.code = f"race-{uuid.uuid4().hex[:12]}"
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            source = env["msp.intake.source"].create(
                {
                    "name": "Race monitor",
                    "code": self.code,
                    "auth_mode": "hmac",
                    "secret": SECRET,
                    "on_clear": "annotate",
                }
            )
            self.source_id, self.user_id = source.id, source.user_id.id
        self.addCleanup(self._cleanup)
        self.retries = 0

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            env["helpdesk.ticket"].search(
                [("msp_alert_source_id", "=", self.source_id)]
            ).unlink()
            env["msp.intake.source"].browse(self.source_id).unlink()
            user = env["res.users"].browse(self.user_id)
            partner = user.partner_id
            env["mail.message"].search([("author_id", "=", partner.id)]).unlink()
            user.unlink()
            partner.unlink()

    def _set(self, **values):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["msp.intake.source"].browse(self.source_id).write(values)

    def _deliver_all(self, payloads, own_transaction=True):
        """Every payload signed and delivered at once, one thread and one
        transaction each, retried by Odoo's retrying(): the (status, answer)
        of each, or the exception that escaped."""
        requests = [signed(payload) for payload in payloads]
        barrier = threading.Barrier(len(requests))
        results = [None] * len(requests)

        def deliver(index, body, headers):
            try:
                barrier.wait(timeout=30)
                results[index] = self._with_retries(
                    lambda env, b=body, h=headers: env["msp.intake.source"]._handle(
                        "alert", self.code, h, b, own_transaction=own_transaction
                    )
                )
            except Exception as error:  # reported by the assertions
                results[index] = ("exception", repr(error))

        threads = [
            threading.Thread(target=deliver, args=(i, body, headers))
            for i, (body, headers) in enumerate(requests)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
        hung = [t for t in threads if t.is_alive()]
        frames = sys._current_frames()
        self.assertFalse(
            hung,
            "a delivery hung: " + "".join(traceback.format_stack(frames[hung[0].ident]))
            if hung
            else "",
        )
        return results

    def _with_retries(self, func):
        """What odoo.service.model.retrying() does for a request, with a new
        cursor per try (its env.reset() would wait for the test run's
        registry lock in a thread): retried on serialization failures,
        deadlocks and lock timeouts, then committed."""
        for tries_left in range(MAX_TRIES_ON_CONCURRENCY_FAILURE - 1, -1, -1):
            with self.registry.cursor() as cr:
                # Registry(dbname) would also wait for that lock
                cr.transaction = api.Transaction(self.registry)
                env = api.Environment(cr, SUPERUSER_ID, {})
                try:
                    result = func(env)
                    cr.flush()
                    cr.commit()  # pylint: disable=invalid-commit
                    return result
                except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                    cr.rollback()
                    if not tries_left:
                        raise
                    self.retries += 1
            time.sleep(random.uniform(0, 0.5))
        raise AssertionError("unreachable")

    def _state(self, key):
        """Tickets of the key and their notes, read on a fresh cursor."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            tickets = env["helpdesk.ticket"].search(
                [
                    ("msp_alert_source_id", "=", self.source_id),
                    ("msp_alert_key", "=", key),
                ],
                order="id",
            )
            return [
                {
                    "id": t.id,
                    "count": t.msp_alert_count,
                    "open": t.msp_alert_open,
                    "closed": t.stage_id.closed,
                    "cleared": bool(t.msp_alert_cleared_date),
                    "notes": [m.body for m in t.message_ids],
                }
                for t in tickets
            ]

    def _events(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            events = env["msp.intake.event"].search(
                [("source_id", "=", self.source_id)]
            )
            return Counter(events.mapped("outcome"))

    def alert(self, index, key="RACE-1", **values):
        # distinct bodies: identical ones in the same second are replays
        nonce = uuid.uuid4().hex
        return {
            "id": key,
            "title": "Disk full",
            "message": f"{index} {nonce}",
            **values,
        }

    def test_concurrent_deliveries_one_ticket_exact_count_clears_once(self):
        copies = 20
        results = self._deliver_all([self.alert(i) for i in range(copies)])
        self.assertEqual([r[0] for r in results], [200] * copies, results)
        actions = Counter(r[1]["action"] for r in results)
        self.assertEqual(actions, {"created": 1, "updated": copies - 1})
        # the deliveries took turns: none had to be retried
        self.assertEqual(self.retries, 0)
        self.assertEqual(len({r[1]["ticket_id"] for r in results}), 1)
        [ticket] = self._state("RACE-1")
        self.assertEqual(ticket["count"], copies)
        self.assertTrue(ticket["open"])
        repeats = [n for n in ticket["notes"] if "Alert repeated" in n]
        self.assertEqual(len(repeats), copies - 1)
        # every count 2..N noted once: no two repeats read the same count
        for count in range(2, copies + 1):
            self.assertEqual(
                sum(f"({count} occurrences)" in n for n in repeats), 1, count
            )
        # five clears at once: applied once, none refused
        results = self._deliver_all(
            [self.alert(i, status="resolved") for i in range(5)]
        )
        self.assertEqual([r[0] for r in results], [200] * 5, results)
        actions = Counter(r[1]["action"] for r in results)
        self.assertEqual(actions, {"annotated": 1, "already_cleared": 4})
        [ticket] = self._state("RACE-1")
        self.assertTrue(ticket["cleared"])
        self.assertEqual(sum("Alert cleared" in n for n in ticket["notes"]), 1)
        self.assertEqual(
            self._events(),
            {"created": 1, "updated": copies - 1, "annotated": 1, "already_cleared": 4},
        )

    def test_clears_close_once_then_a_new_ticket_opens(self):
        self._set(on_clear="close")
        self._deliver_all([self.alert(i, key="RACE-2") for i in range(3)])
        # a new firing and clears at once: the clears wait their turn
        results = self._deliver_all(
            [self.alert(i, key="RACE-2", status="resolved") for i in range(5)]
        )
        self.assertEqual([r[0] for r in results], [200] * 5, results)
        actions = Counter(r[1]["action"] for r in results)
        self.assertEqual(actions, {"closed": 1, "ignored": 4})
        [ticket] = self._state("RACE-2")
        self.assertEqual((ticket["count"], ticket["closed"]), (3, True))
        self.assertFalse(ticket["open"])
        # the alert fires again: a new ticket, still one open
        results = self._deliver_all([self.alert(i, key="RACE-2") for i in range(4)])
        self.assertEqual(Counter(r[1]["action"] for r in results)["created"], 1)
        first, second = self._state("RACE-2")
        self.assertEqual((first["open"], second["open"]), (False, True))
        self.assertEqual(second["count"], 4)

    @mute_logger("odoo.sql_db", "odoo.service.model")
    def test_unique_index_and_retry_without_turns(self):
        """Without the turns (a caller's own transaction): the unique index
        refuses the second ticket, the loser is retried and counted."""
        results = self._deliver_all(
            [self.alert(i, key="RACE-3") for i in range(2)], own_transaction=False
        )
        self.assertEqual([r[0] for r in results], [200, 200], results)
        [ticket] = self._state("RACE-3")
        self.assertEqual(ticket["count"], 2)


@tagged("post_install", "-at_install")
class TestAlertOpenIndex(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.source = cls.env["msp.intake.source"].create(
            {"name": "Index monitor", "code": "index-monitor", "secret": "x"}
        )
        cls.alert = {**dict.fromkeys(FIELDS, ""), "alert_id": "IDX-1", "title": "CPU"}

    def _open(self):
        with self.env.cr.savepoint():
            return self.source.sudo()._open_alert("IDX-1", self.alert)[0]

    def test_second_open_ticket_fails_to_serialize(self):
        ticket = self._open()
        self.assertTrue(ticket.msp_alert_open)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.SerializationFailure),
        ):
            self._open()
        # closed: the key is free again
        ticket.sudo().stage_id = ticket._msp_closing_stage()
        self.assertFalse(ticket.msp_alert_open)
        again = self._open()
        self.assertTrue(again.msp_alert_open)
        self.assertNotEqual(again, ticket)
        # reopening the old one while the new one is open: refused
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.IntegrityError),
            self.env.cr.savepoint(),
        ):
            ticket.sudo().stage_id = self.env.ref(
                "helpdesk_mgmt.helpdesk_ticket_stage_new"
            )
            ticket.flush_recordset()

    def test_index_creation_keeps_duplicates_apart(self):
        first = self._open()
        cr = self.env.cr
        cr.execute(f'DROP INDEX "{ALERT_OPEN_INDEX}"')
        cr.execute(
            """
            INSERT INTO helpdesk_ticket (name, description, number, company_id,
                   stage_id, msp_alert_source_id, msp_alert_key, msp_alert_open)
            SELECT 'dup', 'dup', 'DUP-1', company_id, stage_id, msp_alert_source_id,
                   msp_alert_key, true FROM helpdesk_ticket WHERE id = %s
            RETURNING id
            """,
            [first.id],
        )
        duplicate = cr.fetchone()[0]
        with mute_logger("odoo.addons.msp_routing.models.helpdesk_ticket"):
            self.env["helpdesk.ticket"]._msp_init_alert_open_index()
        cr.execute(
            "SELECT id, msp_alert_key FROM helpdesk_ticket WHERE id IN %s ORDER BY id",
            [(first.id, duplicate)],
        )
        self.assertEqual(
            cr.fetchall(),
            [(first.id, "IDX-1"), (duplicate, f"IDX-1 (duplicate #{duplicate})")],
        )
        cr.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [ALERT_OPEN_INDEX])
        self.assertTrue(cr.fetchone())
