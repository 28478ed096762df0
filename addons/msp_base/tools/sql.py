# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Set-based writes for hot paths (crons, recomputes, syncs)."""

from collections import defaultdict

from odoo.tools import SQL


def bulk_update(model, values_by_id):
    """Write many records, each with its own values, in one UPDATE per set
    of written fields: ``UPDATE t SET f = v.f FROM (VALUES ...) v``.

    For stored, non-computed, non-relational-x2many system fields only (no
    tracking, no write() overrides run); the ORM cache is invalidated and
    dependent computed fields are marked to recompute.
    ``values_by_id``: ``{record_id: {field_name: value}}``.
    """
    groups = defaultdict(list)
    for record_id, values in values_by_id.items():
        groups[tuple(sorted(values))].append((record_id, values))
    if not groups:
        return
    env = model.env
    fnames = {name for names in groups for name in names}
    model.flush_model(fnames)
    for names, rows in groups.items():
        fields_ = [model._fields[name] for name in names]
        casts = [field.column_type[1] for field in fields_]
        tuples = SQL(", ").join(
            SQL(
                "(%s, " + ", ".join(f"%s::{cast}" for cast in casts) + ")",
                record_id,
                *[
                    field.convert_to_column(values[field.name], model)
                    for field in fields_
                ],
            )
            for record_id, values in rows
        )
        assignments = SQL(", ").join(
            SQL("%s = v.%s", SQL.identifier(name), SQL.identifier(name))
            for name in names
        )
        columns = SQL(", ").join(SQL.identifier(name) for name in ("id", *names))
        env.cr.execute(
            SQL(
                "UPDATE %s AS t SET %s FROM (VALUES %s) AS v(%s) WHERE t.id = v.id",
                SQL.identifier(model._table),
                assignments,
                tuples,
                columns,
            )
        )
    records = model.browse(list(values_by_id))
    records.invalidate_recordset(list(fnames))
    records.modified(list(fnames))
