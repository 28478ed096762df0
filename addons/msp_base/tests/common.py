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
