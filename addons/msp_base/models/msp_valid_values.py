# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Values that make no sense are refused with a clear message, not a
traceback: dates that do not exist (2026-02-30) or lie far outside any
business's life (year 9999), numbers that are not finite (NaN, Infinity).

Models inherit ``msp.valid.values.mixin``; ``create`` and ``write`` check
every date, datetime and number they are given before anything else runs,
so computations downstream never see such values. Each model adds its own
business rules (non-negative rates, an end after its start) as constraints.
"""

import math
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import ValidationError

FIRST_DATE = date(2000, 1, 1)
LAST_DATE = date(2099, 12, 31)
NUMBER_TYPES = ("float", "monetary", "integer")


class MspValidValuesMixin(models.AbstractModel):
    _name = "msp.valid.values.mixin"
    _description = "Refuses Impossible Dates and Numbers"

    def _msp_check_values(self, vals_list):
        for vals in vals_list:
            for name, value in vals.items():
                field = self._fields.get(name)
                if field is None or value is False or value is None:
                    continue
                if field.type in ("date", "datetime"):
                    self._msp_check_date(field, value)
                elif field.type in NUMBER_TYPES:
                    self._msp_check_number(field, value)

    def _msp_check_date(self, field, value):
        try:
            parsed = (
                fields.Date.to_date(value)
                if field.type == "date"
                else fields.Datetime.to_datetime(value).date()
            )
        except (TypeError, ValueError) as error:
            raise ValidationError(
                self.env._(
                    "%(field)s: %(value)r is not a valid date.",
                    field=field.string,
                    value=value,
                )
            ) from error
        if not FIRST_DATE <= parsed <= LAST_DATE:
            raise ValidationError(
                self.env._(
                    "%(field)s: %(value)s is outside the years %(first)s-%(last)s.",
                    field=field.string,
                    value=parsed,
                    first=FIRST_DATE.year,
                    last=LAST_DATE.year,
                )
            )

    def _msp_check_number(self, field, value):
        try:
            number = float(value)
        except (TypeError, ValueError) as error:
            raise ValidationError(
                self.env._(
                    "%(field)s: %(value)r is not a number.",
                    field=field.string,
                    value=value,
                )
            ) from error
        if not math.isfinite(number) or abs(number) >= 1e12:
            raise ValidationError(
                self.env._(
                    "%(field)s: %(value)s is not a usable number.",
                    field=field.string,
                    value=value,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._msp_check_values(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._msp_check_values([vals])
        return super().write(vals)
