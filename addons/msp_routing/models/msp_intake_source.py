# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Monitoring alert intake: one source per tool (NinjaOne, Datto RMM, Tactical
RMM, Zabbix, generic JSON), posting to ``/msp/intake/<code>``."""

import hashlib
import logging
import time
from contextlib import contextmanager
from datetime import timedelta

import psycopg2
import psycopg2.errors
from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, create_index, html_escape

from odoo.addons.msp_base.models.msp_system_fields import system_write

from ..lib.payload import (
    DEFAULT_CLEAR,
    DEFAULT_SEVERITY,
    FIELDS,
    MAX_BODY,
    PRESETS,
    SIGNATURE,
    TIMESTAMP,
    BadRequest,
    call_values,
    like_literal,
    normalize,
    parse_json,
    token_ok,
    valid_code,
    verified_digest,
)
from .helpdesk_ticket import ALERT_OPEN_INDEX

_logger = logging.getLogger(__name__)

# Settings (ir.config_parameter) and their defaults
PARAM_AUTH_LIMIT = "msp_routing.intake_auth_failures_per_minute"
AUTH_FAILURES_PER_MINUTE = 30
PARAM_LOG_CAP = "msp_routing.intake_rejected_logged_per_minute"
REJECTED_LOGGED_PER_MINUTE = 30
PARAM_RETENTION = "msp_routing.intake_event_retention_days"
RETENTION_DAYS = 30
PARAM_RETENTION_ACCEPTED = "msp_routing.intake_event_retention_days_accepted"
RETRY_AFTER = 60  # seconds, with 429
LOGGED_BYTES_REJECTED = 256
LOGGED_BYTES = 2000
# how long a delivery waits for the other deliveries of its alert (then
# LockNotAvailable: Odoo retries the request)
ALERT_LOCK_TIMEOUT = "20s"


class MspIntakeSource(models.Model):
    _name = "msp.intake.source"
    _description = "Monitoring Alert Source"
    _inherit = ["mail.thread"]

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        index=True,
        help="URL part: alerts are posted to /msp/intake/<code>. Letters, "
        "digits, '-' and '_' only (64 at most).",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Intake User",
        readonly=True,
        copy=False,
        ondelete="restrict",
        context={"active_test": False},
        help="Technical user (archived: it cannot log in) that creates this "
        "source's tickets and calls, with the intake rights only.",
    )
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    preset = fields.Selection(
        [
            ("generic", "Generic JSON"),
            ("ninjaone", "NinjaOne"),
            ("datto", "Datto RMM"),
            ("tactical", "Tactical RMM"),
            ("zabbix", "Zabbix"),
        ],
        default="generic",
        required=True,
    )
    auth_mode = fields.Selection(
        [("token", "Token header"), ("hmac", "HMAC-SHA256 signature and timestamp")],
        default="hmac",
        required=True,
    )
    token = fields.Char(groups="msp_base.group_msp_service_manager", copy=False)
    secret = fields.Char(
        string="HMAC Secret", groups="msp_base.group_msp_service_manager", copy=False
    )
    max_skew = fields.Integer(
        string="Max Clock Skew (s)",
        default=300,
        help="Signed requests older or newer than this are refused as stale.",
    )
    mapping_ids = fields.One2many("msp.intake.mapping", "source_id", copy=True)
    severity_map = fields.Char(
        help="Extra severity words: 'sev1=3,sev2=2' (3 = P1 ... 0 = P4). "
        "Common words (critical, major, warning, info...) are known.",
    )
    clear_values = fields.Char(
        default="resolved,reset,cleared,ok,recovery,closed,normal",
        help="Status values that mean the alert cleared.",
    )
    on_clear = fields.Selection(
        [("close", "Close the ticket"), ("annotate", "Note it on the ticket")],
        default="annotate",
        required=True,
    )
    default_priority = fields.Selection(
        [("3", "P1"), ("2", "P2"), ("1", "P3"), ("0", "P4")], default="1", required=True
    )
    team_id = fields.Many2one("helpdesk.ticket.team")
    category_id = fields.Many2one("helpdesk.ticket.category")
    client_map_ids = fields.One2many("msp.intake.client.map", "source_id")
    event_ids = fields.One2many("msp.intake.event", "source_id")

    _sql_constraints = [("code_unique", "UNIQUE (code)", "The source code is used.")]

    @api.constrains("code")
    def _check_code(self):
        for source in self:
            if not valid_code(source.code):
                raise ValidationError(
                    self.env._(
                        "The source code %(code)s may hold letters, digits, '-' "
                        "and '_' only (64 at most): it is part of the URL.",
                        code=source.code,
                    )
                )

    @api.constrains("max_skew")
    def _check_max_skew(self):
        for source in self:
            if not 1 <= source.max_skew <= 86400:
                raise ValidationError(
                    self.env._("The clock skew is 1 s to 1 day (86400 s).")
                )

    @api.model_create_multi
    def create(self, vals_list):
        sources = super().create(vals_list)
        for source in sources.filtered(lambda s: not s.mapping_ids):
            source._apply_preset()
        sources._create_intake_users()
        return sources

    def write(self, vals):
        result = super().write(vals)
        if "name" in vals or "company_id" in vals:
            for source in self.filtered("user_id"):
                source.user_id.sudo().write(
                    {
                        "name": self.env._("Alert intake: %(name)s", name=source.name),
                        "company_ids": [Command.set(source.company_id.ids)],
                        "company_id": source.company_id.id,
                    }
                )
        return result

    @api.onchange("preset")
    def _onchange_preset(self):
        self.mapping_ids = [fields.Command.clear()] + [
            fields.Command.create({"field": field, "path": path})
            for field, path in PRESETS[self.preset].items()
        ]

    def _apply_preset(self):
        for source in self:
            source.mapping_ids = [fields.Command.clear()] + [
                fields.Command.create({"field": field, "path": path})
                for field, path in PRESETS[source.preset].items()
            ]

    # ------------------------------------------------------------ receive

    @api.model
    def _receive(self, code, headers, body):
        """One POST to /msp/intake/<code>: returns (HTTP status, JSON-able
        dict). Answers 2xx or 4xx with a clear error, never 5xx for bad input."""
        return self._handle("alert", code, headers, body)

    @api.model
    def _receive_call(self, code, headers, body):
        """A phone system's call record: JSON ``{"caller": "+1 555 0100",
        "duration_seconds": 300, "subject": "...", "notes": "...",
        "agent_login": "dana"}``, authenticated like alerts."""
        return self._handle("call", code, headers, body)

    @api.model
    def _handle(self, kind, code, headers, body, own_transaction=False):
        """Checks in order, the cheap and pure ones first: URL code, size,
        source, failure rate, authentication, JSON, values; then the work,
        as the source's intake user.

        ``own_transaction`` (the webhook controller): the deliveries of one
        alert take turns, each in a transaction started after its turn came
        and committed before the next one's (see ``_alert_turn``)."""
        if not valid_code(code):
            return 404, {"error": "unknown intake source"}
        if len(body) > MAX_BODY:
            return 413, {"error": "payload larger than 1 MiB"}
        source = self._source(code)
        if not source:
            _logger.info("intake: unknown source %s", code)
            return 404, {"error": "unknown intake source"}
        if source._auth_failures_exceeded():
            source._log_rejected(429, "too many failed authentications", body)
            return 429, {
                "error": "too many failed authentications, retry later",
                "retry_after": RETRY_AFTER,
            }
        try:
            try:
                digest = source._check_auth(headers, body)
                values = source._validate(kind, parse_json(body))
            except BadRequest:
                raise
            except Exception as error:  # a bug in a pure check: log it, say 400
                _logger.exception("intake %s: unexpected error reading a request", code)
                raise BadRequest(400, "unreadable request") from error
            with source._alert_turn(kind, values, own_transaction):
                if digest and not source._consume_nonce(digest):
                    raise BadRequest(409, "replayed request")
                return source._run(kind, values, body)
        except BadRequest as rejected:
            _logger.info(
                "intake %s rejected: %s %s", code, rejected.status, rejected.error
            )
            source._log_rejected(rejected.status, rejected.error, body)
            return rejected.status, {"error": rejected.error}

    @contextmanager
    def _alert_turn(self, kind, values, own_transaction):
        """One delivery of an alert at a time, across threads and servers.

        Odoo runs transactions at REPEATABLE READ with the snapshot taken by
        the request's first query: a lock taken later does not let a
        request see the ticket its predecessor just committed. So, with
        ``own_transaction``, the lock is a session-level advisory lock on
        (source, alert key); once granted, the request's transaction (reads
        only so far) is committed, the work runs in a new transaction whose
        snapshot sees every earlier delivery, is committed, and only then
        is the lock released. Without it (a caller's transaction), a
        transaction-level lock: the unique index on open alert tickets and
        Odoo's retry of serialization failures keep the result exact."""
        cr = self.env.cr
        if kind != "alert":
            yield
            return
        key = SQL("%s, hashtext(%s)", self.id, self._alert_key(values))
        if not own_transaction:
            cr.execute(SQL("SELECT pg_advisory_xact_lock(%s)", key))
            yield
            return
        cr.execute(SQL("SET LOCAL lock_timeout = %s", ALERT_LOCK_TIMEOUT))
        # LockNotAvailable after the timeout: nothing held, Odoo retries
        cr.execute(SQL("SELECT pg_advisory_lock(%s)", key))
        try:
            # nothing written yet: this starts a fresh snapshot
            cr.commit()  # pylint: disable=invalid-commit
            self.env.invalidate_all()
            try:
                yield
            except BadRequest:
                # a refusal keeps its nonce, as before
                cr.commit()  # pylint: disable=invalid-commit
                raise
            except BaseException:
                cr.rollback()
                raise
            # visible to the next delivery before it may start
            cr.commit()  # pylint: disable=invalid-commit
        finally:
            try:
                cr.execute(SQL("SELECT pg_advisory_unlock(%s)", key))
            except psycopg2.Error:
                # a failed commit: end that transaction, the lock is the
                # connection's and must not go back to the pool with it
                cr.rollback()
                cr.execute(SQL("SELECT pg_advisory_unlock(%s)", key))

    def _validate(self, kind, payload):
        """The alert's fields or the call's values (pure), or BadRequest."""
        if kind == "call":
            return call_values(payload)
        alert = normalize(payload, self._paths())
        if not (alert["title"] or alert["alert_id"]):
            raise BadRequest(422, "the alert has neither a title nor an id")
        return alert

    def _run(self, kind, values, body):
        """The database work, as the source's intake user (not the
        superuser): a data error the database or a constraint refuses is a
        422, rolled back to a savepoint."""
        self.ensure_one()
        source = self.with_user(self._intake_user()).with_company(self.company_id)
        source = source.with_context(mail_create_nosubscribe=True)
        try:
            with self.env.cr.savepoint():
                if kind == "call":
                    call = source.env["msp.phone.call"]._from_api(
                        values, self.company_id
                    )
                    ticket, action = call.ticket_id, "created"
                    answer = {"action": action, "call_id": call.id}
                else:
                    # the alert's key, source and count are the system's
                    with system_write():
                        ticket, action = source._process_alert(values)
                    answer = {"action": action}
        except (UserError, ValidationError, psycopg2.DataError) as error:
            if isinstance(error, AccessError):
                raise  # the intake user lacks a right: a setup error, not input
            _logger.warning("intake %s: refused by the database: %s", self.code, error)
            raise BadRequest(422, "the alert could not be stored") from error
        self._log_event(200, action, "", body, ticket)
        return 200, {
            **answer,
            "ticket_id": ticket.id or None,
            "ticket": ticket.number or None,
        }

    @api.model
    def _source(self, code):
        """The active source of that code, read as superuser: its secrets
        are needed to authenticate the request."""
        return self.sudo().search([("code", "=", code), ("active", "=", True)], limit=1)

    def _check_auth(self, headers, body):
        """Token or signature (pure): the verified HMAC digest (the replay
        key) for signed sources, None for token sources; or BadRequest."""
        self.ensure_one()
        if self.auth_mode == "token":
            given = headers.get("X-MSP-Token") or ""
            authorization = headers.get("Authorization") or ""
            if not given and authorization.startswith("Bearer "):
                given = authorization.removeprefix("Bearer ")
            if not token_ok(self.token, given.strip()):
                raise BadRequest(401, "missing or wrong token")
            return None
        timestamp = headers.get("X-MSP-Timestamp") or ""
        signature = headers.get("X-MSP-Signature") or ""
        if not timestamp or not signature:
            raise BadRequest(401, "signature and timestamp headers required")
        if not TIMESTAMP.fullmatch(timestamp):
            raise BadRequest(401, "the timestamp must be Unix seconds in digits 0-9")
        if abs(time.time() - int(timestamp)) > self.max_skew:
            raise BadRequest(401, "stale timestamp")
        if not SIGNATURE.fullmatch(signature):
            raise BadRequest(401, "the signature must be sha256=<64 lowercase hex>")
        digest = verified_digest(self.secret, timestamp, body, signature)
        if not digest:
            raise BadRequest(401, "bad signature")
        return digest

    def _consume_nonce(self, digest):
        """Record the signature's digest: False when it was seen already. A
        concurrent twin waits on the unique key, then fails to serialize and
        Odoo retries the request, which sees the committed nonce."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO msp_intake_nonce
                       (source_id, company_id, digest, create_date)
                VALUES (%s, %s, %s, now() at time zone 'UTC')
                ON CONFLICT (source_id, digest) DO NOTHING RETURNING id
                """,
                self.id,
                self.company_id.id,
                digest,
            )
        )
        return bool(self.env.cr.fetchone())

    # ----------------------------------------------- limits and request log

    def _param(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(key, "")
        try:
            return int(value) if value else default
        except ValueError:
            return default

    def _auth_failures_exceeded(self):
        """More authentication failures (401) in the last minute than the
        limit: decided before the signature is checked. One indexed count
        on the request log, so it holds across workers."""
        self.ensure_one()
        limit = self._param(PARAM_AUTH_LIMIT, AUTH_FAILURES_PER_MINUTE)
        since = fields.Datetime.now() - timedelta(minutes=1)
        self.env.cr.execute(
            SQL(
                """
                SELECT count(*) FROM msp_intake_event
                 WHERE source_id = %s AND outcome = 'rejected' AND status = 401
                   AND date >= %s
                """,
                self.id,
                since,
            )
        )
        return limit > 0 and self.env.cr.fetchone()[0] >= limit

    def _log_rejected(self, status, error, body):
        """Log a refused request with the first bytes of its body (no
        headers). Authentication failures are always logged (the rate limit
        counts them, and caps them); other refusals up to a number a minute,
        then only counted on the last logged one, like 429s."""
        self.ensure_one()
        since = fields.Datetime.now() - timedelta(minutes=1)
        logged = status == 401
        if status not in (401, 429):
            cap = self._param(PARAM_LOG_CAP, REJECTED_LOGGED_PER_MINUTE)
            self.env.cr.execute(
                SQL(
                    """
                    SELECT count(*) FROM msp_intake_event
                     WHERE source_id = %s AND outcome = 'rejected'
                       AND status != 401 AND date >= %s
                    """,
                    self.id,
                    since,
                )
            )
            logged = self.env.cr.fetchone()[0] < cap
        if logged:
            self._log_event(status, "rejected", error, body)
            return
        # counted, best effort: a concurrent count of the same row is lost
        # rather than failing the request
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """
                        UPDATE msp_intake_event
                           SET dropped_count = coalesce(dropped_count, 0) + 1
                         WHERE id = (SELECT max(id) FROM msp_intake_event
                                      WHERE source_id = %s AND outcome = 'rejected'
                                        AND date >= %s)
                        """,
                        self.id,
                        since,
                    )
                )
        except (
            psycopg2.errors.SerializationFailure,
            psycopg2.errors.LockNotAvailable,
            psycopg2.errors.DeadlockDetected,
        ):
            _logger.info("intake %s: a dropped request was not counted", self.code)
        self.env["msp.intake.event"].invalidate_model(["dropped_count"])

    def _log_event(self, status, outcome, error, body, ticket=None):
        """The request log is written as superuser (its readers are
        managers); a refused request keeps only its first bytes."""
        self.ensure_one()
        keep = LOGGED_BYTES_REJECTED if outcome == "rejected" else LOGGED_BYTES
        self.env["msp.intake.event"].sudo().create(
            {
                "source_id": self.id,
                "status": status,
                "outcome": outcome,
                "error": (error or "").replace("\x00", "")[:500],
                "payload": body[:keep].decode("utf-8", "replace").replace("\x00", ""),
                "ticket_id": ticket.id if ticket else False,
            }
        )

    @api.autovacuum
    def _gc_intake_log(self):
        """Refused requests are kept N days (default 30), accepted ones 3N
        (default 90); nonces as long as a replay could still be in time."""
        days = self._param(PARAM_RETENTION, RETENTION_DAYS)
        accepted_days = self._param(PARAM_RETENTION_ACCEPTED, 3 * days)
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM msp_intake_event
                 WHERE (outcome = 'rejected' AND date < %s)
                    OR (outcome != 'rejected' AND date < %s)
                """,
                now - timedelta(days=max(days, 1)),
                now - timedelta(days=max(accepted_days, 1)),
            )
        )
        # a request is accepted while |now - timestamp| <= skew: its nonce
        # matters until 2 x skew after it came in
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM msp_intake_nonce n
                 USING msp_intake_source s
                 WHERE s.id = n.source_id
                   AND n.create_date < %s - make_interval(secs => 2 * s.max_skew + 60)
                """,
                now,
            )
        )
        self.env["msp.intake.event"].invalidate_model()
        self.env["msp.intake.nonce"].invalidate_model()

    # ------------------------------------------------------- intake users

    def _intake_user(self):
        self.ensure_one()
        if not self.user_id:
            self.sudo()._create_intake_users()
        return self.user_id

    def _create_intake_users(self):
        """One technical user per source: internal (not portal), archived so
        it can neither log in nor show among users, with the intake group
        only. Tickets and calls of the source are created as this user."""
        groups = self.env.ref("base.group_user") | self.env.ref(
            "msp_routing.group_msp_intake"
        )
        Users = self.env["res.users"].sudo().with_context(no_reset_password=True)
        for source in self.filtered(lambda s: not s.user_id):
            user = Users.create(
                {
                    "name": self.env._("Alert intake: %(name)s", name=source.name),
                    "login": f"__msp_intake_{source.id}__",
                    # notes need an author address; .invalid is never delivered
                    "email": f"msp-intake-{source.id}@intake.invalid",
                    "active": False,
                    "company_id": source.company_id.id,
                    "company_ids": [Command.set(source.company_id.ids)],
                    "groups_id": [Command.set(groups.ids)],
                }
            )
            source.sudo().user_id = user

    def _paths(self):
        return {m.field: m.path for m in self.mapping_ids}

    def _priority_for(self, severity):
        words = dict(DEFAULT_SEVERITY)
        for pair in (self.severity_map or "").split(","):
            if "=" in pair:
                word, priority = pair.split("=", 1)
                words[word.strip().lower()] = priority.strip()
        return words.get((severity or "").lower(), self.default_priority)

    def _asset_for(self, alert):
        """The inventory's asset named like the alert's device (exactly,
        case aside: '%', '_' and backslash are no wildcards)."""
        assets = self.env["msp.asset"]
        if not alert["device"]:
            return assets.browse()
        return assets.search(
            [("name", "=ilike", like_literal(alert["device"]))], limit=1
        )

    def _client_for(self, alert):
        """The client owning the device or site: an asset of that name when
        msp_assets is installed, else the source's mapping table."""
        for kind in ("device", "site"):
            value = alert[kind]
            if not value:
                continue
            mapping = self.client_map_ids.filtered(
                lambda m, k=kind, v=value: m.kind == k and m.value.lower() == v.lower()
            )[:1]
            if mapping:
                return mapping.partner_id
            asset = self._asset_for(alert) if kind == "device" else None
            if asset:
                return asset.client_id
        return self.env["res.partner"]

    @api.model
    def _alert_key(self, alert):
        return (
            alert["alert_id"]
            or hashlib.sha1(f"{alert['device']}|{alert['title']}".encode()).hexdigest()
        )

    def _process_alert(self, alert):
        """Create, update (repeat), close or annotate: returns (ticket, action).

        Exactly once under concurrency: deliveries of one alert take turns
        (``_alert_turn``); whatever gets past that, the unique index on open
        alert tickets refuses a second one and the loser is retried by Odoo
        in a new transaction that sees the winner's ticket; a repeat or a
        clear updates the ticket's row, which fails to serialize (and is
        retried) when a concurrent transaction changed it first."""
        self.ensure_one()
        key = self._alert_key(alert)
        Ticket = self.env["helpdesk.ticket"]
        ticket = Ticket.search(
            [
                ("msp_alert_source_id", "=", self.id),
                ("msp_alert_key", "=", key),
                ("msp_alert_open", "=", True),
            ],
            limit=1,
        )
        if ticket:
            # the row is ours until commit; a concurrent change since our
            # snapshot raises a serialization failure: Odoo retries
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM helpdesk_ticket WHERE id = %s FOR NO KEY UPDATE",
                    ticket.id,
                )
            )
            ticket.invalidate_recordset()
        clear = {v.strip().lower() for v in (self.clear_values or "").split(",")} - {""}
        if (alert["status"] or "").lower() in (clear or DEFAULT_CLEAR):
            return self._clear_alert(ticket)
        if ticket:
            return self._repeat_alert(ticket, alert)
        return self._open_alert(key, alert)

    def _clear_alert(self, ticket):
        if not ticket:
            return ticket, "ignored"
        if ticket.msp_alert_cleared_date:
            return ticket, "already_cleared"
        ticket.msp_alert_cleared_date = fields.Datetime.now()
        ticket.message_post(
            body=self.env._("Alert cleared by %(monitor)s.", monitor=self.name),
            subtype_xmlid="mail.mt_note",
        )
        if self.on_clear == "close":
            ticket.stage_id = ticket._msp_closing_stage()
            return ticket, "closed"
        return ticket, "annotated"

    def _repeat_alert(self, ticket, alert):
        # one statement: the count is the database's, never a stale read
        self.env.cr.execute(
            SQL(
                """
                UPDATE helpdesk_ticket
                   SET msp_alert_count = coalesce(msp_alert_count, 0) + 1,
                       msp_alert_cleared_date = NULL
                 WHERE id = %s
             RETURNING msp_alert_count
                """,
                ticket.id,
            )
        )
        count = self.env.cr.fetchone()[0]
        refired = bool(ticket.msp_alert_cleared_date)
        ticket.invalidate_recordset(["msp_alert_count", "msp_alert_cleared_date"])
        if refired:
            body = self.env._(
                "Alert fired again after it cleared (%(count)s occurrences): %(title)s",
                count=count,
                title=alert["title"],
            )
        else:
            body = self.env._(
                "Alert repeated (%(count)s occurrences): %(title)s",
                count=count,
                title=alert["title"],
            )
        ticket.message_post(body=body, subtype_xmlid="mail.mt_note")
        return ticket, "updated"

    def _open_alert(self, key, alert):
        client = self._client_for(alert)
        description = "\n".join(
            f"{field}: {html_escape(alert[field])}" for field in FIELDS if alert[field]
        )
        asset = self._asset_for(alert)
        values = {
            "name": alert["title"] or self.env._("Alert %(key)s", key=key),
            "description": f"<pre>{description}</pre>",
            "partner_id": client.id,
            "company_id": self.company_id.id,
            "channel_id": self.env.ref("msp_routing.channel_monitoring").id,
            "priority": self._priority_for(alert["severity"]),
            "team_id": self.team_id.id,
            "category_id": self.category_id.id,
            "user_id": False,
            "msp_alert_source_id": self.id,
            "msp_alert_key": key,
            "msp_alert_count": 1,
            "msp_asset_id": asset.id or False,
        }
        try:
            with self.env.cr.savepoint():
                ticket = self.env["helpdesk.ticket"].create(values)
        except psycopg2.errors.UniqueViolation as error:
            if error.diag.constraint_name != ALERT_OPEN_INDEX:
                raise
            # a concurrent delivery opened it since our snapshot: fail as a
            # serialization failure, which Odoo retries in a new transaction
            # (one that sees that ticket and counts this delivery on it)
            _logger.info("intake %s: alert %s opened concurrently", self.code, key)
            self.env.cr.execute(
                SQL(
                    """
                    DO $$ BEGIN RAISE EXCEPTION USING
                        ERRCODE = 'serialization_failure',
                        MESSAGE = 'msp intake: the alert was opened concurrently';
                    END $$
                    """
                ),
                log_exceptions=False,
            )
        return ticket, "created"


class MspIntakeMapping(models.Model):
    _name = "msp.intake.mapping"
    _description = "Alert Field Mapping"

    source_id = fields.Many2one("msp.intake.source", required=True, ondelete="cascade")
    company_id = fields.Many2one(
        related="source_id.company_id", store=True, index=True, precompute=True
    )
    field = fields.Selection(
        [(f, f.replace("_", " ").title()) for f in FIELDS], required=True
    )
    path = fields.Char(
        required=True, help="Dotted path in the JSON, e.g. data.device[0].name"
    )

    _sql_constraints = [
        ("field_unique", "UNIQUE (source_id, field)", "One path per field and source.")
    ]


class MspIntakeClientMap(models.Model):
    _name = "msp.intake.client.map"
    _description = "Alert Device/Site to Client"

    source_id = fields.Many2one("msp.intake.source", required=True, ondelete="cascade")
    company_id = fields.Many2one(
        related="source_id.company_id", store=True, index=True, precompute=True
    )
    kind = fields.Selection([("device", "Device"), ("site", "Site")], required=True)
    value = fields.Char(required=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        domain=[("is_company", "=", True)],
    )

    @api.constrains("value")
    def _check_value(self):
        for mapping in self:
            if not mapping.value.strip():
                raise ValidationError(self.env._("The device or site name is empty."))


class MspIntakeEvent(models.Model):
    """Every request to the intake endpoint, accepted or rejected."""

    _name = "msp.intake.event"
    _description = "Alert Intake Event"
    _order = "id desc"

    source_id = fields.Many2one("msp.intake.source", ondelete="cascade", index=True)
    company_id = fields.Many2one(
        related="source_id.company_id", store=True, index=True, precompute=True
    )
    date = fields.Datetime(default=fields.Datetime.now, index=True)
    status = fields.Integer(string="HTTP Status")
    outcome = fields.Selection(
        [
            ("created", "Ticket created"),
            ("updated", "Repeat counted"),
            ("closed", "Cleared: closed"),
            ("annotated", "Cleared: noted"),
            ("ignored", "Cleared: no open ticket"),
            ("already_cleared", "Cleared: already cleared"),
            ("rejected", "Rejected"),
        ]
    )
    error = fields.Char()
    payload = fields.Text(help="The first bytes of the body (256 when refused).")
    dropped_count = fields.Integer(
        string="Not Logged",
        default=0,
        help="Refused requests of the same minute over the logging cap, "
        "counted here instead of logged.",
    )
    ticket_id = fields.Many2one("helpdesk.ticket", ondelete="set null")

    def init(self):
        # the failure rate limit and the logging cap count a minute of
        # refused requests of one source
        create_index(
            self.env.cr,
            "msp_intake_event_rejected_idx",
            self._table,
            ["source_id", "date"],
            where="outcome = 'rejected'",
        )


class MspIntakeNonce(models.Model):
    """Signatures already used (replay protection)."""

    _name = "msp.intake.nonce"
    _description = "Alert Intake Nonce"

    source_id = fields.Many2one("msp.intake.source", required=True, ondelete="cascade")
    company_id = fields.Many2one(
        related="source_id.company_id", store=True, index=True, precompute=True
    )
    digest = fields.Char(required=True, help="The verified HMAC digest.")

    _sql_constraints = [
        ("digest_unique", "UNIQUE (source_id, digest)", "This request was seen.")
    ]
