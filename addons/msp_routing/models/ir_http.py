# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.http import request
from werkzeug.exceptions import RequestEntityTooLarge

from ..controllers.main import bounded_body


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        result = super()._pre_dispatch(rule, args)
        if rule.endpoint.routing.get("msp_webhook"):
            # read the webhook body (bounded) before Odoo parses forms from
            # it: a chunked form body would otherwise be read whole
            _body, too_large = bounded_body()
            if too_large:
                raise RequestEntityTooLarge(
                    response=request.make_json_response(
                        {"error": "payload larger than 1 MiB"}, status=413
                    )
                )
        return result
