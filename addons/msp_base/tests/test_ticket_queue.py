# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The service desk's ticket queue: readable priorities, the columns a
dispatcher reads, open tickets by default, filters that AND across groups."""

from lxml import etree
from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval

from .common import menu_reachable, role_user


def filter_groups(env, action_xmlid, user=None):
    """The search filters of an action's search view as the web client gets
    them (with the user's groups): a list of groups, each {name: domain
    string}. Filters of one group OR together, groups AND."""
    action = env.ref(action_xmlid)
    model = env[action.res_model].with_user(user or env.user)
    views = model.get_views([(action.search_view_id.id, "search")])
    arch = etree.fromstring(views["views"]["search"]["arch"])
    groups, current = [], {}
    for node in arch:
        if node.tag == "separator":
            if current:
                groups.append(current)
            current = {}
        elif node.tag == "filter" and node.get("domain"):
            current[node.get("name")] = node.get("domain")
    if current:
        groups.append(current)
    return groups


def apply_filters(env, action_xmlid, names, user=None):
    """Search the action's model as the web client would with the filters
    ``names`` on: OR inside a group, AND across groups."""
    groups = filter_groups(env, action_xmlid, user)
    user = user or env.user
    context = {"uid": user.id}
    domain = []
    for group in groups:
        chosen = [safe_eval(group[name], context) for name in names if name in group]
        if not chosen:
            continue
        ors = chosen[0]
        for extra in chosen[1:]:
            ors = ["|", *ors, *extra]
        domain += ors
    return domain


@tagged("post_install", "-at_install")
class TestTicketQueue(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tech = role_user(cls.env, "tq_tech", "group_msp_technician")
        cls.other = role_user(cls.env, "tq_other", "group_msp_technician")
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {"name": "TQ team", "user_ids": [(4, cls.tech.id), (4, cls.other.id)]}
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "TQ Client", "is_company": True}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "TQ Contact", "parent_id": cls.client.id}
        )
        Stage = cls.env["helpdesk.ticket.stage"]
        cls.done = Stage.search([("closed", "=", True)], limit=1)
        Ticket = cls.env["helpdesk.ticket"]

        def ticket(name, **values):
            return Ticket.create(
                {
                    "name": name,
                    "description": name,
                    "partner_id": cls.contact.id,
                    "team_id": cls.team.id,
                    **values,
                }
            )

        cls.mine = ticket("TQ mine", user_id=cls.tech.id)
        cls.theirs = ticket("TQ theirs", user_id=cls.other.id)
        cls.free = ticket("TQ free", user_id=False)
        cls.free_closed = ticket("TQ free closed", user_id=False)
        cls.free_closed.stage_id = cls.done

    def test_priorities_read_p1_to_p4(self):
        labels = dict(
            self.env["helpdesk.ticket"]
            ._fields["priority"]
            ._description_selection(self.env)
        )
        self.assertEqual(labels["3"], "P1 - Outage")
        self.assertEqual(labels["0"], "P4 - Request")
        # the codes (and their order, for the star widget) do not move
        self.assertEqual(list(labels), ["0", "1", "2", "3"])

    def test_default_list_is_built_for_the_queue(self):
        action = self.env.ref("msp_base.action_msp_tickets")
        self.assertEqual(action.path, "tickets")
        self.assertEqual(safe_eval(action.context).get("search_default_open"), 1)
        list_view = action.view_ids.filtered(lambda v: v.view_mode == "list").view_id
        arch = etree.fromstring(
            self.env["helpdesk.ticket"]
            .with_user(self.tech)
            .get_views([(list_view.id, "list")])["views"]["list"]["arch"]
        )
        shown = [
            f.get("name")
            for f in arch.iter("field")
            if f.get("column_invisible") not in ("1", "True")
            and f.get("optional") != "hide"
        ]
        for name in (
            "number",
            "commercial_partner_id",
            "msp_contact_name",
            "name",
            "stage_id",
            "priority",
            "user_id",
            "team_id",
        ):
            self.assertIn(name, shown)
        for name in ("partner_name", "planned_hours", "remaining_hours"):
            self.assertNotIn(name, shown)
        # the title takes the room left: no fixed width
        self.assertFalse(arch.xpath("//field[@name='name']")[0].get("width"))
        self.assertEqual(
            arch.xpath("//field[@name='commercial_partner_id']")[0].get("string"),
            "Client",
        )
        # stage comes before the SLA and people columns (visible without
        # scrolling sideways)
        self.assertLess(shown.index("stage_id"), shown.index("user_id"))
        self.assertTrue(arch.get("default_order"))
        # client and contact, each once (not "Client, Contact")
        self.assertEqual(self.mine.commercial_partner_id, self.client)
        self.assertEqual(self.mine.msp_contact_name, "TQ Contact")
        self.mine.partner_id = self.client
        self.assertFalse(self.mine.msp_contact_name)

    def test_service_desk_menu_opens_the_queue(self):
        menu = self.env.ref("msp_base.menu_msp_service_desk")
        self.assertEqual(menu.action, self.env.ref("msp_base.action_msp_tickets"))
        self.assertTrue(menu_reachable(menu, self.tech))

    def test_unassigned_and_open_combine_with_and(self):
        groups = filter_groups(self.env, "msp_base.action_msp_tickets", self.tech)
        group_of = {name: i for i, group in enumerate(groups) for name in group}
        self.assertNotEqual(group_of["unassigned"], group_of["open"])
        self.assertEqual(group_of["my_tickets"], group_of["unassigned"])
        domain = apply_filters(
            self.env, "msp_base.action_msp_tickets", ["unassigned", "open"]
        )
        found = self.env["helpdesk.ticket"].search(
            [*domain, ("team_id", "=", self.team.id)]
        )
        self.assertEqual(found, self.free)

    def test_my_tickets_and_my_teams(self):
        Ticket = self.env["helpdesk.ticket"].with_user(self.tech)
        scope = [("team_id", "=", self.team.id)]
        mine = apply_filters(
            self.env, "msp_base.action_msp_tickets", ["my_tickets"], self.tech
        )
        self.assertEqual(Ticket.search(mine + scope), self.mine)
        teams = apply_filters(
            self.env, "msp_base.action_msp_tickets", ["my_teams", "open"], self.tech
        )
        self.assertEqual(
            Ticket.search(teams + scope), self.mine | self.theirs | self.free
        )
        outsider = role_user(self.env, "tq_out", "group_msp_dispatcher")
        teams = apply_filters(
            self.env, "msp_base.action_msp_tickets", ["my_teams"], outsider
        )
        self.assertFalse(
            self.env["helpdesk.ticket"].with_user(outsider).search(teams + scope)
        )

    def test_form_hides_free_text_sender_once_a_contact_is_set(self):
        """The free-text sender name and e-mail show only while no contact
        is set (they read as empty fields otherwise)."""
        arch = etree.fromstring(
            self.env["helpdesk.ticket"]
            .with_user(self.tech)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        for name in ("partner_name", "partner_email"):
            fields = arch.xpath(f"//sheet//field[@name='{name}']")
            self.assertTrue(fields, name)
            self.assertEqual(fields[0].get("invisible"), "partner_id", name)
