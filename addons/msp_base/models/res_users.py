# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""MSP staff keep exactly the rights of their role.

Odoo adds an app's default groups to the *default user template* when the
app installs, and then to every existing internal user (``res.users.write``
on the template). ``hr_timesheet`` puts *Timesheets / Administrator* there,
``project`` *Project / Administrator``: installed after the MSP staff exist,
they would make every technician an administrator of everyone's time. Here
users holding an MSP role (and not Settings administrators) keep their
groups when the template grows; their role decides their rights.
"""

from odoo import Command, api, models

MSP_ROLES = (
    "msp_base.group_msp_technician",
    "msp_base.group_msp_dispatcher",
    "msp_base.group_msp_service_manager",
    "msp_base.group_msp_billing",
)


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _msp_role_group_records(self):
        groups = self.env["res.groups"]
        for xmlid in MSP_ROLES:
            groups |= self.env.ref(xmlid, raise_if_not_found=False) or groups
        return groups

    def _msp_roles(self):
        """The MSP roles this user was given, without the roles another of
        them implies (a dispatcher's implied technician role)."""
        self.ensure_one()
        held = self.groups_id & self._msp_role_group_records()
        return held - held.mapped("trans_implied_ids")

    def _msp_is_staff(self):
        """An internal user with an MSP role who is not a Settings admin."""
        self.ensure_one()
        return bool(self._msp_roles()) and not self._is_system() and not self.share

    def _msp_reset_role_groups(self):
        """Give each MSP staff user exactly *Internal User* and their MSP
        roles (Odoo adds what those imply), dropping any group an app's
        default template or a manual change added."""
        internal = self.env.ref("base.group_user")
        for user in self.filtered(lambda u: u._msp_is_staff()):
            wanted = internal | user._msp_roles()
            user.groups_id = [Command.set(wanted.ids)]

    def write(self, vals):
        if "groups_id" not in vals or not self._apply_groups_to_existing_employees():
            return super().write(vals)
        # The default user template changes: Odoo will add its new groups to
        # every internal user. MSP staff keep theirs.
        staff = (self.env.ref("base.group_user").users - self).filtered(
            lambda u: u._msp_is_staff()
        )
        before = {user.id: user.groups_id for user in staff}
        result = super().write(vals)
        for user in staff:
            if user.groups_id != before[user.id]:
                user.groups_id = [Command.set(before[user.id].ids)]
        return result

    # -- Home screen per role ------------------------------------------------
    # The role that decides a user's home when they hold several, first wins.
    MSP_HOME_PRECEDENCE = (
        "msp_base.group_msp_service_manager",
        "msp_base.group_msp_billing",
        "msp_base.group_msp_dispatcher",
        "msp_base.group_msp_technician",
    )

    @api.model
    def _msp_home_screens(self):
        """Each MSP role's working screen: role group xmlid -> xmlid of an
        action, or of a menu whose action is meant. Addons put their own
        screens in (``msp_routing`` gives dispatchers triage, ``msp_sla``
        managers the SLA overview, ``msp_mrr_billing`` billing its runs);
        technicians land on the ticket queue."""
        return {
            "msp_base.group_msp_service_manager": "msp_base.menu_msp_service_desk",
            "msp_base.group_msp_billing": "msp_base.menu_msp_clients",
            "msp_base.group_msp_dispatcher": "msp_base.menu_msp_service_desk",
            "msp_base.group_msp_technician": "msp_base.menu_msp_service_desk",
        }

    def _msp_home_action_record(self):
        """The action this user's MSP home opens, or None without a role."""
        self.ensure_one()
        screens = self._msp_home_screens()
        for role in self.MSP_HOME_PRECEDENCE:
            group = self.env.ref(role, raise_if_not_found=False)
            if not group or group not in self.groups_id or role not in screens:
                continue
            target = self.env.ref(screens[role], raise_if_not_found=False)
            if target and target._name == "ir.ui.menu":
                target = target.action
            if target:
                return target.sudo()
        return None

    @api.model
    def _msp_home_action(self):
        """The home action of the current user, as the web client runs it
        (the server action behind the MSP app and the login landing)."""
        target = self.env.user._msp_home_action_record()
        if not target:
            return self.env["ir.actions.actions"]._for_xml_id(
                "msp_base.action_msp_clients"
            )
        # Read as the user would: the target is an action their role opens.
        return self.env[target._name].browse(target.id)._get_action_dict()
