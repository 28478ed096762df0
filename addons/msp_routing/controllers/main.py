# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo import http
from odoo.http import request

from ..lib.payload import MAX_BODY, read_bounded, valid_code

_logger = logging.getLogger(__name__)

ROUTE = {
    "type": "http",
    "auth": "none",
    "methods": ["POST"],
    "csrf": False,
    "save_session": False,
    "readonly": False,
    # refused by Content-Length before any form parsing (werkzeug)
    "max_content_length": MAX_BODY,
    # the body is read, bounded, before dispatch (ir.http._pre_dispatch)
    "msp_webhook": True,
}


def bounded_body():
    """The request body read once, at most MAX_BODY bytes, even when it
    comes chunked (no Content-Length): (body, too_large). Kept on the
    request, so a retry after a serialization failure sees the same body."""
    httprequest = request.httprequest
    cached = getattr(httprequest, "_msp_body", None)
    if cached is not None:
        return cached
    if (httprequest.content_length or 0) > MAX_BODY:
        result = (b"", True)
    else:
        # the werkzeug request behind Odoo's wrapper: its input stream is
        # the raw (de-chunked) body, or a stream limited to Content-Length
        wrapped = getattr(httprequest, "_HTTPRequest__wrapped", httprequest)
        result = read_bounded(wrapped.stream, MAX_BODY)
    httprequest._msp_body = result
    return result


class MspIntakeController(http.Controller):
    @http.route("/msp/intake/<string:code>", **ROUTE)
    def intake(self, code, **_kwargs):
        """Monitoring alerts in: JSON body, token or HMAC signature. Answers
        JSON with a 2xx or a 4xx and a clear error, never a 500 for bad input."""
        return self._serve("alert", code)

    @http.route("/msp/phone/<string:code>", **ROUTE)
    def phone_call(self, code, **_kwargs):
        """A call from the phone system opens a ticket with the call's time."""
        return self._serve("call", code)

    def _serve(self, kind, code):
        try:
            # pure checks first: no database work for these
            if not valid_code(code):
                return request.make_json_response(
                    {"error": "unknown intake source"}, status=404
                )
            body, too_large = bounded_body()
        except Exception:  # a bug reading the request: logged, answered 400
            _logger.exception("intake: unreadable request")
            return request.make_json_response(
                {"error": "unreadable request"}, status=400
            )
        if too_large:
            return request.make_json_response(
                {"error": "payload larger than 1 MiB"}, status=413
            )
        # the superuser only finds the source and reads its secrets; the
        # work runs as the source's intake user (see _run)
        sources = request.env["msp.intake.source"].sudo()
        # own transaction: deliveries of one alert take turns, each seeing
        # the previous one's ticket (see msp.intake.source._alert_turn)
        status, payload = sources._handle(
            kind, code, request.httprequest.headers, body, own_transaction=True
        )
        response = request.make_json_response(payload, status=status)
        if status == 429:
            response.headers["Retry-After"] = str(payload.get("retry_after", 60))
        return response
