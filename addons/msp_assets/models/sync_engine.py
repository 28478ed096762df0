# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Applies a connector's pages to the inventory, one savepoint per page.

A page that fails is rolled back alone and ends the run as failed; pages
already applied stay. Only a complete pass marks unseen assets stale (and
only then may the source's rule retire long-stale ones). Nothing is deleted.
Per page: one lookup query, one batch create, one UPDATE for last-seen times,
and an ORM write (with chatter tracking) only for assets that changed."""

import logging
import traceback
from collections import Counter, defaultdict
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL
from psycopg2 import OperationalError, errorcodes

from odoo.addons.msp_base.tools.sql import bulk_update

from ..lib.http import ConnectorError, truncate

_logger = logging.getLogger(__name__)

# vendor value -> asset field; a vendor's empty value never erases ours
SYNCED_FIELDS = {
    "name": "name",
    "serial": "serial_number",
    "manufacturer": "manufacturer",
    "model": "model",
    "os_name": "os_name",
    "os_version": "os_version",
    "site": "site",
    "sku_part_number": "sku_part_number",
    "sku_id": "sku_id",
}
LOOKUP_COLUMNS = [
    "id",
    "external_id",
    "active",
    "client_id",
    "type_id",
    "stale",
    "last_seen",
    "contact_id",
    *SYNCED_FIELDS.values(),
]
# the run's counters, in the order _finish writes them
STAT_FIELDS = (
    "pages",
    "requests",
    "created",
    "updated",
    "unchanged",
    "moved",
    "went_stale",
    "came_back",
    "retired",
    "unmapped",
)
# left to the caller: the whole transaction must be retried (a job retries)
CONCURRENCY_PGCODES = (
    errorcodes.SERIALIZATION_FAILURE,
    errorcodes.DEADLOCK_DETECTED,
    errorcodes.LOCK_NOT_AVAILABLE,
)


class SyncEngine:
    def __init__(self, source, run, client=None):
        self.source = source
        self.env = source.env
        self.run = run
        self.client = client
        self.Asset = self.env["msp.asset"].with_company(source.company_id)
        self.stats = Counter()
        self.diff = defaultdict(Counter)  # (client_id, billing_class) -> counts
        self.licences = defaultdict(Counter)  # client_id -> {"+SKU": n}
        self.seen = set()
        self.touched_clients = set()
        self.errors = []
        self.traceback = False
        self.connector = None

    # -- the run ---------------------------------------------------------
    def execute(self):
        complete = False
        clients = set()
        before = {}
        try:
            self.connector = self.source._connector()
            self.mapping = self.source._refresh_mapping(self.connector.organisations())
            scope = None
            if self.client:
                scope = {r for r, c in self.mapping.items() if c == self.client.id}
                if not scope:
                    raise UserError(
                        self.env._(
                            "%(client)s is not mapped to any organisation of "
                            "%(connector)s.",
                            client=self.client.name,
                            connector=self.source.name,
                        )
                    )
            clients = {self.client.id} if self.client else set(self.mapping.values())
            before = self.Asset._billing_counts(clients)
            types = self.env["msp.asset.type"].search([])
            self.type_by_code = self.env["msp.asset.type"]._by_source_code()
            self.class_by_type = {t.id: t.billing_class for t in types}
            for page in self.connector.pages(scope):
                with self.env.cr.savepoint():
                    self._apply_page(page, scope)
                self.stats["pages"] += 1
                # memory follows the page size, not the number of assets
                self.env.invalidate_all()
            with self.env.cr.savepoint():
                self._mark_stale()
                self._retire_long_stale()
            complete = True
        except Exception as error:
            self._record(error)
        self._finish(complete, clients, before)
        return self.run

    def plan(self):
        """The vendor's organisations mapped again: {org ref: client id},
        or None when the vendor could not be read (the run then fails and
        says why)."""
        try:
            self.connector = self.source._connector()
            return self.source._refresh_mapping(self.connector.organisations())
        except Exception as error:
            self._record(error)
        self._finish(False, set(), {})
        return None

    def _record(self, error):
        """Keep why the run failed. A serialization failure, deadlock or lock
        timeout is raised again: only a new transaction can cure it."""
        if isinstance(error, ConnectorError):
            self.errors.append(
                {
                    "message": error.message,
                    "http_status": error.status or 0,
                    "url": error.url,
                    "body": error.body,
                }
            )
        elif isinstance(error, UserError | ValidationError):
            self.errors.append({"message": str(error)})
        elif (
            isinstance(error, OperationalError) and error.pgcode in CONCURRENCY_PGCODES
        ):
            raise error
        else:
            _logger.warning(
                "Asset sync %s failed", self.source.display_name, exc_info=True
            )
            self.traceback = traceback.format_exc()
            self.errors.append(
                {
                    "message": truncate(f"{error.__class__.__name__}: {error}", 250),
                    "body": truncate(str(error)),
                }
            )

    def _finish(self, complete, clients, before):
        clients = clients | self.touched_clients
        after = self.Asset._billing_counts(clients)
        diffs = []
        for client_id, billing_class in set(before) | set(after) | set(self.diff):
            counts = self.diff[(client_id, billing_class)]
            old = before.get((client_id, billing_class), 0)
            new = after.get((client_id, billing_class), 0)
            licences = ""
            if billing_class == "user_license" and self.licences.get(client_id):
                licences = ", ".join(
                    f"{key} x{n}" for key, n in sorted(self.licences[client_id].items())
                )
            if old == new and not any(counts.values()) and not licences:
                continue
            diffs.append(
                {
                    "run_id": self.run.id,
                    "client_id": client_id,
                    "billing_class": billing_class,
                    "count_before": old,
                    "count_after": new,
                    "licence_changes": licences,
                    **counts,
                }
            )
        self.env["msp.asset.sync.diff"].create(diffs)
        self.env["msp.asset.sync.error"].create(
            [dict(e, run_id=self.run.id) for e in self.errors]
        )
        failed = any(e.get("level", "error") == "error" for e in self.errors)
        self.run.write(
            {
                "finished": fields.Datetime.now(),
                "state": "done" if complete and not failed else "failed",
                "complete": complete,
                "requests": self.connector.http.requests if self.connector else 0,
                "traceback": self.traceback,
                **{key: self.stats[key] for key in STAT_FIELDS if key != "requests"},
            }
        )

    # -- one page --------------------------------------------------------
    def _apply_page(self, records, scope):
        mapped = []
        for record in records:
            client_id = self.mapping.get(record["org_ref"])
            if scope is not None and record["org_ref"] not in scope:
                continue
            if not client_id:
                self.stats["unmapped"] += 1
                continue
            mapped.append((record, client_id))
        if not mapped:
            return
        existing = self._lookup([r["external_id"] for r, _c in mapped])
        contacts = self._contacts(mapped)
        new, updates, last_seen = [], [], {}
        for record, client_id in mapped:
            row = existing.get(record["external_id"])
            if not row:
                new.append(self._new_values(record, client_id, contacts))
                continue
            if not row["active"]:  # archived by a person: leave it be
                self.stats["unchanged"] += 1
                continue
            self.seen.add(row["id"])
            if record["last_seen"] and record["last_seen"] != row["last_seen"]:
                last_seen[row["id"]] = {"last_seen": record["last_seen"]}
            changes = self._changes(row, record, client_id, contacts)
            if changes:
                updates.append((row, changes))
            else:
                self.stats["unchanged"] += 1
        self._update(updates)
        if new:
            self._create(new)
        if last_seen:
            bulk_update(self.Asset, last_seen)

    def _update(self, updates):
        """Write what changed, with chatter tracking. A serial another asset
        holds is left out (with a warning); a record that still cannot be
        written is reported and skipped, not the whole page."""
        serials = [c["serial_number"] for _r, c in updates if c.get("serial_number")]
        taken = set()
        if serials:
            self.env.cr.execute(
                SQL(
                    "SELECT lower(serial_number) FROM msp_asset WHERE company_id = %s"
                    " AND active AND lower(serial_number) = ANY(%s)",
                    self.source.company_id.id,
                    [serial.lower() for serial in serials],
                )
            )
            taken = {serial for (serial,) in self.env.cr.fetchall()}
        for row, changes in updates:
            serial = changes.get("serial_number")
            # serials compare without regard to case (as the constraint does)
            if serial and serial.lower() in taken:
                self._warn_serial(changes.get("name") or row["name"], serial)
                changes.pop("serial_number")
            elif serial:
                taken.add(serial.lower())
            if not changes:
                self.stats["unchanged"] += 1
                continue
            try:
                with self.env.cr.savepoint():
                    self.Asset.browse(row["id"]).write(changes)
            except (UserError, ValidationError) as error:
                self.errors.append(
                    {"level": "warning", "message": truncate(str(error), 250)}
                )
                continue
            self.stats["updated"] += 1

    def _warn_serial(self, name, serial):
        self.errors.append(
            {
                "level": "warning",
                "message": self.env._(
                    "%(name)s reports serial %(serial)s, which another active "
                    "asset has: recorded without it.",
                    name=name,
                    serial=serial,
                ),
            }
        )

    def _lookup(self, external_ids):
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM msp_asset"
                " WHERE source_id = %s AND external_id = ANY(%s)"
                " ORDER BY active",  # an active row wins over an archived one
                SQL(", ").join(SQL.identifier(c) for c in LOOKUP_COLUMNS),
                self.source.id,
                external_ids,
            )
        )
        found = {}
        for values in self.env.cr.fetchall():
            row = dict(zip(LOOKUP_COLUMNS, values, strict=True))
            found[row["external_id"]] = row
        return found

    def _contacts(self, mapped):
        """Licence records name a person: find (or add) the client's contact
        with that e-mail address. One search per page."""
        wanted = {
            (client_id, record["contact_email"]): record["contact_name"]
            for record, client_id in mapped
            if record["contact_email"]
        }
        if not wanted:
            return {}
        Partner = self.env["res.partner"].with_context(active_test=False)
        emails = list({email for _c, email in wanted})
        self.env.cr.execute(
            SQL(
                "SELECT commercial_partner_id, lower(email), id FROM res_partner"
                " WHERE lower(email) = ANY(%s) AND commercial_partner_id = ANY(%s)"
                " ORDER BY active DESC, id",
                emails,
                list({c for c, _e in wanted}),
            )
        )
        found = {}
        for client_id, email, partner_id in self.env.cr.fetchall():
            found.setdefault((client_id, email), partner_id)
        missing = [key for key in wanted if key not in found]
        if missing:
            created = Partner.create(
                [
                    {
                        "name": wanted[key] or key[1],
                        "email": key[1],
                        "parent_id": key[0],
                        "type": "contact",
                    }
                    for key in missing
                ]
            )
            found.update(zip(missing, created.ids, strict=True))
        return found

    def _vendor_values(self, record, client_id, contacts):
        values = {
            field: record[key]
            for key, field in SYNCED_FIELDS.items()
            if record.get(key) not in (None, "")
        }
        contact = contacts.get((client_id, record["contact_email"]))
        if contact:
            values["contact_id"] = contact
        return values

    def _new_values(self, record, client_id, contacts):
        values = self._vendor_values(record, client_id, contacts)
        type_id = self.type_by_code.get((record["type_code"] or "").lower())
        values.update(
            {
                "client_id": client_id,
                "source_id": self.source.id,
                "external_id": record["external_id"],
                "type_id": type_id or False,
                "last_seen": record["last_seen"],
                "company_id": self.source.company_id.id,
                "install_date": fields.Date.context_today(self.source),
            }
        )
        return values

    def _changes(self, row, record, client_id, contacts):
        changes = {
            field: value
            for field, value in self._vendor_values(record, client_id, contacts).items()
            if (row[field] or False) != value
        }
        if not row["type_id"]:
            type_id = self.type_by_code.get((record["type_code"] or "").lower())
            if type_id:
                changes["type_id"] = type_id
        billing_class = self.class_by_type.get(changes.get("type_id") or row["type_id"])
        billing_class = billing_class or "other"
        if client_id != row["client_id"]:
            changes["client_id"] = client_id
            self.stats["moved"] += 1
            self.diff[(row["client_id"], billing_class)]["moved_out"] += 1
            self.diff[(client_id, billing_class)]["moved_in"] += 1
            self.touched_clients |= {row["client_id"], client_id}
        if row["stale"]:
            changes.update({"stale": False, "stale_since": False})
            self.stats["came_back"] += 1
            self.diff[(client_id, billing_class)]["came_back"] += 1
        return changes

    def _create(self, new):
        new = self._resolve_serials(new)
        if not new:
            return
        assets = self.Asset.with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
        ).create(new)
        self.seen.update(assets.ids)
        self.stats["created"] += len(assets)
        for values in new:
            billing_class = self.class_by_type.get(values["type_id"]) or "other"
            self.diff[(values["client_id"], billing_class)]["added"] += 1
            if values.get("sku_part_number"):
                key = "+" + values["sku_part_number"]
                self.licences[values["client_id"]][key] += 1

    def _resolve_serials(self, new):
        """A new device whose serial an active asset already has: a hand-made
        record of the same client is adopted (it now syncs); any other clash
        keeps the device but not the serial, with a warning on the run."""
        serials = [v["serial_number"] for v in new if v.get("serial_number")]
        if not serials:
            return new
        self.env.cr.execute(
            SQL(
                "SELECT lower(serial_number), id, client_id, source_id FROM msp_asset"
                " WHERE company_id = %s AND active AND lower(serial_number) = ANY(%s)",
                self.source.company_id.id,
                [serial.lower() for serial in serials],
            )
        )
        taken = {
            serial: (aid, cid, sid) for serial, aid, cid, sid in self.env.cr.fetchall()
        }
        kept, used = [], set()
        for values in new:
            serial = values.get("serial_number")
            if not serial:
                kept.append(values)
                continue
            owner = taken.get(serial.lower())
            if owner and not owner[2] and owner[1] == values["client_id"]:
                adopt = {
                    k: v
                    for k, v in values.items()
                    if k not in ("type_id", "install_date")
                }
                adopt = {k: v for k, v in adopt.items() if v or k == "last_seen"}
                self.Asset.browse(owner[0]).write(adopt)
                self.seen.add(owner[0])
                self.stats["updated"] += 1
                continue
            if owner or serial.lower() in used:
                self._warn_serial(values["name"], serial)
                values = dict(values, serial_number=False)
            used.add(serial.lower())
            kept.append(values)
        return kept

    # -- after a complete pass ------------------------------------------
    def _mark_stale(self):
        domain = [
            ("source_id", "=", self.source.id),
            ("stale", "=", False),
            ("id", "not in", list(self.seen)),
        ]
        if self.client:
            domain.append(("client_id", "=", self.client.id))
        gone = self.Asset.search(domain)
        if not gone:
            return
        gone.write(
            {"stale": True, "stale_since": fields.Date.context_today(self.source)}
        )
        self.stats["went_stale"] += len(gone)
        for asset in gone:
            self.diff[(asset.client_id.id, asset.billing_class or "other")][
                "went_stale"
            ] += 1
            if asset.sku_part_number:
                self.licences[asset.client_id.id]["-" + asset.sku_part_number] += 1

    def _retire_long_stale(self):
        days = self.source.stale_retire_days
        if days <= 0:
            return
        limit = fields.Date.context_today(self.source) - timedelta(days=days)
        domain = [
            ("source_id", "=", self.source.id),
            ("stale", "=", True),
            ("stale_since", "<=", limit),
            ("state", "in", ("active", "spare")),
        ]
        if self.client:
            domain.append(("client_id", "=", self.client.id))
        old = self.Asset.search(domain)
        if not old:
            return
        old.write({"state": "retired"})
        for asset in old:
            asset.message_post(
                body=self.env._(
                    "Retired by the %(connector)s rule: not seen for %(days)s days.",
                    connector=self.source.name,
                    days=days,
                )
            )
            self.diff[(asset.client_id.id, asset.billing_class or "other")][
                "retired"
            ] += 1
        self.stats["retired"] += len(old)
