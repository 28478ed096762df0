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
