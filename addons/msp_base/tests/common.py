# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Test helpers the msp addons share."""


def menu_reachable(menu, user):
    """A menu shows when it and every ancestor are visible to the user."""
    visible = menu.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
    path = {int(x) for x in menu.parent_path.strip("/").split("/")}
    return path <= visible
