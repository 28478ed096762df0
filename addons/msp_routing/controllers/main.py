# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..lib.payload import MAX_BODY

ROUTE = {
    "type": "http",
    "auth": "none",
    "methods": ["POST"],
    "csrf": False,
    "save_session": False,
    "readonly": False,
}


class MspIntakeController(http.Controller):
    @http.route("/msp/intake/<string:code>", **ROUTE)
    def intake(self, code, **_kwargs):
        """Monitoring alerts in: JSON body, token or HMAC signature. Answers
        JSON with a 2xx or a 4xx and a clear error, never a 500 for bad input."""
        return self._serve("_receive", code)

    @http.route("/msp/phone/<string:code>", **ROUTE)
    def phone_call(self, code, **_kwargs):
        """A call from the phone system opens a ticket with the call's time."""
        return self._serve("_receive_call", code)

    def _serve(self, handler, code):
        httprequest = request.httprequest
        if (httprequest.content_length or 0) > MAX_BODY:
            return request.make_json_response(
                {"error": "payload larger than 1 MiB"}, status=413
            )
        sources = request.env(user=SUPERUSER_ID)["msp.intake.source"]
        status, payload = getattr(sources, handler)(
            code, httprequest.headers, httprequest.get_data(cache=False)
        )
        return request.make_json_response(payload, status=status)
