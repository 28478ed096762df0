# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Test helpers the msp addons share."""


def menu_reachable(menu, user):
    """A menu shows when it and every ancestor are visible to the user."""
    visible = menu.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
    path = {int(x) for x in menu.parent_path.strip("/").split("/")}
    return path <= visible


def role_user(env, login, group, **values):
    """A test user with one MSP role (``group`` is an msp_base xmlid name)."""
    from odoo.tests import new_test_user  # noqa: PLC0415

    return new_test_user(
        env, login=login, groups=f"base.group_user,msp_base.{group}", **values
    )


def assert_menus_for_role(case, xmlids, role):
    """Each menu has an action, shows to ``role`` and hides from a plain
    internal user."""
    from odoo.tests import new_test_user  # noqa: PLC0415

    plain = new_test_user(
        case.env, login=f"plain_{role.login}", groups="base.group_user"
    )
    for xmlid in xmlids:
        menu = case.env.ref(xmlid)
        case.assertTrue(menu.action, f"{xmlid} has no action")
        case.assertTrue(menu_reachable(menu, role), f"{xmlid} hidden from its role")
        case.assertFalse(menu_reachable(menu, plain), f"{xmlid} shown to a plain user")


def commit_in_new_cursor(registry, func):
    """Run ``func(env)`` as superuser in a new cursor and commit: for tests
    of concurrent transactions, whose data other cursors must see."""
    from odoo import api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        result = func(env)
        cr.commit()  # pylint: disable=invalid-commit
        return result


def call_kw(case, model, method, *args, **kwargs):
    """A JSON-RPC ``call_kw`` as the HttpCase's authenticated user, the way
    the web client and integrations call the server. Raises
    ``JsonRpcException`` (its message is the server's exception class)."""
    return case.make_jsonrpc_request(
        f"/web/dataset/call_kw/{model}/{method}",
        {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
    )


# Models of the suite without a company rule, and why. Anything else the
# registry holds under "msp." must have company_id and a global rule on
# company_ids (tested in msp_base's test_security).
COMPANY_RULE_EXEMPT = {
    "msp.asset.type": "shared configuration: device kinds and their billing "
    "class are the same for every company (read-only to non-managers)",
}


def make_portal_client(env, name, login):
    """A client company with a contact who is a portal user:
    ``(company, contact, user)``; the password is ``login + "-Pw-2026"``."""
    from odoo import Command  # noqa: PLC0415

    company = env["res.partner"].create({"name": name, "is_company": True})
    contact = env["res.partner"].create(
        {
            "name": f"{name} Contact",
            "parent_id": company.id,
            "email": f"{login}@{login}.example.com",
        }
    )
    user = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "login": login,
                "password": f"{login}-Pw-2026",
                "partner_id": contact.id,
                "groups_id": [Command.set([env.ref("base.group_portal").id])],
            }
        )
    )
    return company, contact, user


class PortalHttpMixin:
    """Helpers for HttpCase tests acting as a logged-in portal user."""

    def login_as(self, user):
        self.authenticate(user.login, f"{user.login}-Pw-2026")

    def csrf_token(self):
        """The token ``request.csrf_token()`` puts in the forms of this
        session (same computation as odoo.http)."""
        import hashlib  # noqa: PLC0415
        import hmac  # noqa: PLC0415
        import time  # noqa: PLC0415

        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret")
        max_ts = int(time.time() + 3600)
        msg = f"{self.session.sid}{max_ts}".encode()
        digest = hmac.new(secret.encode("ascii"), msg, hashlib.sha1).hexdigest()
        return f"{digest}o{max_ts}"

    def post_close(self, ticket, stage, csrf=True):
        data = {"ticket_id": str(ticket.id), "stage_id": str(stage.id)}
        if csrf:
            data["csrf_token"] = self.csrf_token()
        return self.url_open("/ticket/close", data=data, allow_redirects=False)

    def rpc(self, model, method, *args, **kwargs):
        """JSON-RPC call_kw as the logged-in user: ``(result, error_name)``."""
        import json  # noqa: PLC0415

        payload = {
            "id": 1,
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": model,
                "method": method,
                "args": list(args),
                "kwargs": kwargs,
            },
        }
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        body = response.json()
        if "error" in body:
            return None, body["error"]["data"]["name"]
        return body["result"], None

    def assertRpcDenied(self, model, ids):
        """``read`` and ``search_read`` of ``ids`` give the user nothing."""
        result, error = self.rpc(model, "read", ids, ["display_name"])
        self.assertIn(
            error,
            ("odoo.exceptions.AccessError", "odoo.exceptions.MissingError"),
            f"{model} {ids} readable: {result}",
        )
        result, error = self.rpc(
            model, "search_read", [("id", "in", ids)], fields=["display_name"]
        )
        if error is None:
            self.assertEqual(result, [], f"{model} {ids} found by search_read")
        else:
            self.assertEqual(error, "odoo.exceptions.AccessError")
