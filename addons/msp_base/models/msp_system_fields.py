# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Fields only the system writes.

Views' ``readonly`` does not protect a field: an RPC ``write`` reaches it.
Models that keep facts the system establishes (SLA status and deadlines,
alert counts, claim and routing dates, billing stamps, billed hours) inherit
``msp.system.fields.mixin`` and list those fields in ``_msp_system_fields()``.
``create`` and ``write`` refuse them unless the caller is the system:

- superuser mode (``sudo()``, crons, module data), or
- code running inside ``with system_write():``.

The second is a Python context variable, so no RPC caller can set it (unlike
a context key, which any client can send).
"""

import contextvars
from contextlib import contextmanager

from odoo import api, models
from odoo.exceptions import AccessError

_SYSTEM_WRITE = contextvars.ContextVar("msp_system_write", default=False)


@contextmanager
def system_write():
    """Let the code inside write system fields (as the current user)."""
    token = _SYSTEM_WRITE.set(True)
    try:
        yield
    finally:
        _SYSTEM_WRITE.reset(token)


class MspSystemFieldsMixin(models.AbstractModel):
    _name = "msp.system.fields.mixin"
    _description = "Fields Only the System Writes"

    def _msp_system_fields(self):
        """Names of the fields that only the system writes (extend with super)."""
        return frozenset()

    def _msp_is_system_write(self):
        return self.env.su or _SYSTEM_WRITE.get()

    def _msp_check_system_fields(self, vals_list, create=False):
        """Refuse system fields in ``vals_list`` for a non-system caller.

        On create, a stored, non-computed system field given exactly its
        default value is no claim of a fact: the web client sends the form's
        defaults back (a new billing run comes with state 'draft'). A value
        for a computed field is always refused: given on create, it would
        stop Odoo from computing it (billed hours left at 0).
        """
        if self._msp_is_system_write():
            return
        protected = self._msp_system_fields()
        touched = {name for vals in vals_list for name in vals} & protected
        if create and touched:
            defaults = self.default_get(list(touched))
            touched = {
                name
                for vals in vals_list
                for name in touched & set(vals)
                if self._fields[name].compute
                or name not in defaults
                or vals[name] != defaults[name]
            }
        touched = sorted(touched)
        if touched:
            raise AccessError(
                self.env._(
                    "%(fields)s of %(model)s are set by the system and cannot be "
                    "written directly.",
                    fields=", ".join(
                        f"'{self._fields[name].string}'" for name in touched
                    ),
                    model=self._description,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._msp_check_system_fields(vals_list, create=True)
        return super().create(vals_list)

    def write(self, vals):
        self._msp_check_system_fields([vals])
        return super().write(vals)
