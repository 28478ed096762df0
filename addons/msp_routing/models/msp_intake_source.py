# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Monitoring alert intake: one source per tool (NinjaOne, Datto RMM, Tactical
RMM, Zabbix, generic JSON), posting to ``/msp/intake/<code>``."""

import hashlib
import json
import logging
import time

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, html_escape

from ..lib.payload import (
    DEFAULT_CLEAR,
    DEFAULT_SEVERITY,
    FIELDS,
    MAX_BODY,
    PRESETS,
    normalize,
    signature_ok,
)

_logger = logging.getLogger(__name__)


class IntakeRejected(Exception):
    def __init__(self, status, error):
        super().__init__(error)
        self.status = status
        self.error = error


class MspIntakeSource(models.Model):
    _name = "msp.intake.source"
    _description = "Monitoring Alert Source"
    _inherit = ["mail.thread"]

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        index=True,
        help="URL part: alerts are posted to /msp/intake/<code>.",
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

    @api.model_create_multi
    def create(self, vals_list):
        sources = super().create(vals_list)
        for source in sources.filtered(lambda s: not s.mapping_ids):
            source._apply_preset()
        return sources

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
        """Handle one POST: returns (HTTP status, JSON-able dict). Every
        request is logged as an intake event, accepted or not."""
        source = self._source(code)
        try:
            payload = self._accept(source, headers, body)
            alert = normalize(payload, source._paths())
            if not (alert["title"] or alert["alert_id"]):
                raise IntakeRejected(422, "the alert has neither a title nor an id")
            ticket, action = source._process_alert(alert)
        except IntakeRejected as rejected:
            _logger.info(
                "intake %s rejected: %s %s", code, rejected.status, rejected.error
            )
            self._log_event(source, rejected.status, "rejected", rejected.error, body)
            return rejected.status, {"error": rejected.error}
        self._log_event(source, 200, action, "", body, ticket)
        return 200, {
            "action": action,
            "ticket_id": ticket.id or None,
            "ticket": ticket.number or None,
        }

    @api.model
    def _receive_call(self, code, headers, body):
        """A phone system's call record: JSON ``{"caller": "+1 555 0100",
        "duration_seconds": 300, "subject": "...", "notes": "...",
        "agent_login": "dana"}``, authenticated like alerts."""
        source = self._source(code)
        try:
            payload = self._accept(source, headers, body)
            if not str(payload.get("caller") or "").strip():
                raise IntakeRejected(422, "the call has no caller number")
            try:
                float(payload.get("duration_seconds") or 0)
            except (TypeError, ValueError) as error:
                raise IntakeRejected(422, "duration_seconds is not a number") from error
            call = self.env["msp.phone.call"]._from_api(payload, source.company_id)
        except IntakeRejected as rejected:
            self._log_event(source, rejected.status, "rejected", rejected.error, body)
            return rejected.status, {"error": rejected.error}
        self._log_event(source, 200, "created", "", body, call.ticket_id)
        return 200, {
            "action": "created",
            "call_id": call.id,
            "ticket_id": call.ticket_id.id,
            "ticket": call.ticket_id.number,
        }

    @api.model
    def _source(self, code):
        return self.sudo().search([("code", "=", code), ("active", "=", True)], limit=1)

    @api.model
    def _accept(self, source, headers, body):
        """Size, source, authentication, JSON: the payload, or IntakeRejected."""
        if len(body) > MAX_BODY:
            raise IntakeRejected(413, "payload larger than 1 MiB")
        if not source:
            raise IntakeRejected(404, "unknown intake source")
        source._authenticate(headers, body)
        return self._parse(body)

    def _authenticate(self, headers, body):
        self.ensure_one()
        if self.auth_mode == "token":
            given = headers.get("X-MSP-Token") or (
                headers.get("Authorization") or ""
            ).removeprefix("Bearer ")
            if not self.token or not given or given.strip() != self.token:
                raise IntakeRejected(401, "missing or wrong token")
            return
        timestamp = headers.get("X-MSP-Timestamp") or ""
        signature = headers.get("X-MSP-Signature") or ""
        if not timestamp.isdigit() or not signature:
            raise IntakeRejected(401, "signature and timestamp headers required")
        if abs(time.time() - int(timestamp)) > self.max_skew:
            raise IntakeRejected(401, "stale timestamp")
        if not self.secret or not signature_ok(self.secret, timestamp, body, signature):
            raise IntakeRejected(401, "bad signature")
        digest = hashlib.sha256(signature.encode()).hexdigest()
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
        if not self.env.cr.fetchone():
            raise IntakeRejected(409, "replayed request")

    @api.model
    def _parse(self, body):
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise IntakeRejected(400, f"malformed JSON: {error}") from error
        if not isinstance(payload, dict):
            raise IntakeRejected(400, "the payload must be a JSON object")
        return payload

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
        """The inventory's asset named like the alert's device."""
        assets = self.env["msp.asset"].sudo()
        if not alert["device"]:
            return assets.browse()
        return assets.search([("name", "=ilike", alert["device"])], limit=1)

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
            if kind == "device" and self._asset_for(alert):
                return self._asset_for(alert).client_id
        return self.env["res.partner"]

    def _process_alert(self, alert):
        """Create, update (repeat), close or annotate: returns (ticket, action)."""
        self.ensure_one()
        key = (
            alert["alert_id"]
            or hashlib.sha1(f"{alert['device']}|{alert['title']}".encode()).hexdigest()
        )
        # two deliveries of one alert at once must not open two tickets
        self.env.cr.execute(
            SQL("SELECT pg_advisory_xact_lock(hashtext(%s))", f"{self.id}:{key}")
        )
        Ticket = self.env["helpdesk.ticket"].sudo()
        ticket = Ticket.search(
            [
                ("msp_alert_source_id", "=", self.id),
                ("msp_alert_key", "=", key),
                ("stage_id.closed", "=", False),
            ],
            limit=1,
        )
        clear = {v.strip().lower() for v in (self.clear_values or "").split(",")} - {""}
        if (alert["status"] or "").lower() in (clear or DEFAULT_CLEAR):
            if not ticket:
                return Ticket, "ignored"
            ticket.message_post(
                body=self.env._("Alert cleared by %(monitor)s.", monitor=self.name),
                subtype_xmlid="mail.mt_note",
            )
            if self.on_clear == "close":
                ticket.stage_id = ticket._msp_closing_stage()
                return ticket, "closed"
            return ticket, "annotated"
        if ticket:
            ticket.msp_alert_count += 1
            ticket.message_post(
                body=self.env._(
                    "Alert repeated (%(count)s occurrences): %(title)s",
                    count=ticket.msp_alert_count,
                    title=alert["title"],
                ),
                subtype_xmlid="mail.mt_note",
            )
            return ticket, "updated"
        client = self._client_for(alert)
        description = "\n".join(
            f"{field}: {html_escape(alert[field])}" for field in FIELDS if alert[field]
        )
        ticket = Ticket.create(
            {
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
                "msp_asset_id": asset.id
                if (asset := self._asset_for(alert))
                else False,
            }
        )
        return ticket, "created"

    @api.model
    def _log_event(self, source, status, outcome, error, body, ticket=None):
        self.env["msp.intake.event"].sudo().create(
            {
                "source_id": source.id,
                "status": status,
                "outcome": outcome,
                "error": (error or "").replace("\x00", "")[:500],
                "payload": body[:2000].decode("utf-8", "replace").replace("\x00", ""),
                "ticket_id": ticket.id if ticket else False,
            }
        )


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
            ("rejected", "Rejected"),
        ]
    )
    error = fields.Char()
    payload = fields.Text()
    ticket_id = fields.Many2one("helpdesk.ticket", ondelete="set null")


class MspIntakeNonce(models.Model):
    """Signatures already used (replay protection)."""

    _name = "msp.intake.nonce"
    _description = "Alert Intake Nonce"

    source_id = fields.Many2one("msp.intake.source", required=True, ondelete="cascade")
    company_id = fields.Many2one(
        related="source_id.company_id", store=True, index=True, precompute=True
    )
    digest = fields.Char(required=True)

    _sql_constraints = [
        ("digest_unique", "UNIQUE (source_id, digest)", "This request was seen.")
    ]
