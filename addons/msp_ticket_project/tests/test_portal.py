# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Change orders on the client's portal over real HTTP: the client sees
them on the project's page and /my/change_orders, approves one (who and
when recorded, budget and billable line added); another client's portal
user reaches none of it, a draft is never shown, the e-mailed link works
without a login but deciding needs one."""

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.msp_base.tests.common import PortalHttpMixin, make_portal_client

from .common_change_order import make_change_order, make_change_order_world


@tagged("post_install", "-at_install")
class TestChangeOrderPortal(PortalHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_change_order_world(cls, "COP")
        cls.client_b, cls.contact_b, cls.user_b = make_portal_client(
            cls.env, "COP Bravo", "cop_bravo"
        )
        cls.client_c, cls.contact_c, cls.user_c = make_portal_client(
            cls.env, "COP Charlie", "cop_charlie"
        )
        cls.order = make_change_order(
            cls.env, cls.project, cls.pm, milestone_id=cls.build.id,
            title="Twenty more mailboxes",
        )  # fmt: skip
        cls.order.action_send()
        cls.draft = make_change_order(
            cls.env, cls.project, cls.pm, title="Secret draft idea"
        )
        # Bravo has a project and a change order of its own
        cls.project_b = cls.env["project.project"].create(
            {"name": "COP Bravo Network", "partner_id": cls.client_b.id,
             "user_id": cls.pm.id, "privacy_visibility": "portal",
             "msp_billing_type": "tm"}
        )  # fmt: skip
        cls.project_b.message_subscribe(partner_ids=cls.contact_b.ids)
        cls.order_b = make_change_order(
            cls.env, cls.project_b, cls.pm, title="Bravo extra switch"
        )
        cls.order_b.action_send()

    def post_decision(self, order, decision, csrf=True):
        data = {"decision": decision}
        if csrf:
            data["csrf_token"] = self.csrf_token()
        return self.url_open(
            f"/my/change_orders/{order.id}/decision", data=data, allow_redirects=False
        )

    def test_client_approves_from_the_portal(self):
        self.login_as(self.portal_user)
        project_page = self.url_open(f"/my/projects/{self.project.id}")
        self.assertEqual(project_page.status_code, 200)
        self.assertIn("Change orders", project_page.text)
        self.assertIn(self.order.name, project_page.text)
        self.assertIn("Awaiting your decision", project_page.text)
        self.assertNotIn("Secret draft idea", project_page.text)
        page = self.url_open(f"/my/change_orders/{self.order.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Twenty more mailboxes", page.text)
        self.assertIn("o_msp_co_approve", page.text)
        self.assertIn("10 h", page.text)
        self.assertIn("1,500.00", page.text)
        response = self.post_decision(self.order, "approve")
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("message=approved", response.headers["Location"])
        self.order.invalidate_recordset()
        self.assertEqual(self.order.state, "approved")
        self.assertEqual(self.order.approved_by_id, self.contact)
        self.assertEqual(self.order.decision_channel, "portal")
        self.assertTrue(self.order.decision_date)
        self.build.invalidate_recordset()
        self.assertEqual(self.build.msp_budget_hours, 50.0)
        line = self.order.sudo().invoice_line_id
        self.assertEqual(len(line), 1)
        self.assertEqual(line.msp_project_id, self.project)
        # approving again (back button, double submit): nothing more
        response = self.post_decision(self.order, "approve")
        self.assertIn(response.status_code, (302, 303))
        self.assertEqual(
            self.env["account.move.line"].search_count(
                [("msp_change_order_id", "=", self.order.id)]
            ),
            1,
        )
        # nor can the client change their mind
        response = self.post_decision(self.order, "reject")
        self.assertIn("message=error", response.headers["Location"])
        self.order.invalidate_recordset()
        self.assertEqual(self.order.state, "approved")
        page = self.url_open(f"/my/change_orders/{self.order.id}")
        self.assertIn("o_msp_co_decided", page.text)
        self.assertIn(self.contact.name, page.text)
        self.assertNotIn("o_msp_co_approve", page.text)

    def post_message(self, order, body, **kwargs):
        return self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "msp.change.order",
                "thread_id": order.id,
                "post_data": {
                    "body": body,
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                },
                **kwargs,
            },
        )

    def test_client_discusses_on_the_portal(self):
        self.order.with_user(self.pm).message_post(
            body="Happy to walk you through it.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.order.with_user(self.pm).message_post(
            body="Internal: margin is thin", subtype_xmlid="mail.mt_note"
        )
        self.login_as(self.portal_user)
        page = self.url_open(f"/my/change_orders/{self.order.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_portal_chatter", page.text)
        self.assertIn('data-res_model="msp.change.order"', page.text)
        self.assertIn(f'data-res_id="{self.order.id}"', page.text)
        # the client reads the thread (not the internal notes) and posts
        fetched = str(
            self.make_jsonrpc_request(
                "/mail/chatter_fetch",
                {"thread_model": "msp.change.order", "thread_id": self.order.id},
            )
        )
        self.assertIn("walk you through it", fetched)
        self.assertNotIn("margin is thin", fetched)
        self.post_message(self.order, "Could the mailboxes move in March?")
        message = self.order.message_ids.filtered(
            lambda m: "move in March" in (m.body or "")
        )
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.contact)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        # staff read it in the back office chatter
        self.assertIn(message, self.order.with_user(self.pm).message_ids)
        # the e-mailed link's token lets its reader post too
        self.authenticate(None, None)
        self.post_message(
            self.order, "Signed off by our CFO", token=self.order.access_token
        )
        self.assertTrue(
            self.order.message_ids.filtered(lambda m: "CFO" in (m.body or ""))
        )

    def test_read_only_staff_neither_post_to_the_client_nor_plan_on_it(self):
        """Posting on read access is for the client (portal) only: a
        technician or billing, who only read change orders, cannot write to
        the client's thread or schedule activities on it; the PM can."""
        for user in (self.tech, self.billing):
            order = self.order.with_user(user)
            order.check_access("read")
            with self.assertRaises(AccessError, msg=user.login):
                order.message_post(body="Hi", message_type="comment")
            with self.assertRaises(AccessError, msg=user.login):
                order.activity_schedule("mail.mail_activity_data_todo", user_id=user.id)
        self.order.with_user(self.pm).message_post(
            body="From the PM", message_type="comment"
        )

    def test_another_client_cannot_join_the_discussion(self):
        before = len(self.order.message_ids)
        for user, kwargs in (
            (self.user_b, {}),
            (self.user_b, {"token": "wrong"}),
            (None, {}),
        ):
            if user:
                self.login_as(user)
            else:
                self.authenticate(None, None)
            with self.assertRaises(JsonRpcException) as caught:
                self.post_message(self.order, "Let me in", **kwargs)
            self.assertIn("NotFound", str(caught.exception))
        with self.assertRaises(JsonRpcException):
            self.post_message(self.draft, "Drafts neither")
        self.login_as(self.portal_user)
        with self.assertRaises(JsonRpcException):
            self.post_message(self.draft, "Drafts neither")
        self.order.invalidate_recordset(["message_ids"])
        self.assertEqual(len(self.order.message_ids), before)
        self.assertFalse(
            self.env["mail.message"].search([("body", "ilike", "Let me in")])
        )
        self.assertFalse(
            self.env["mail.message"].search([("body", "ilike", "Drafts neither")])
        )

    def test_client_rejects_from_the_portal(self):
        self.login_as(self.portal_user)
        response = self.post_decision(self.order, "reject")
        self.assertIn("message=rejected", response.headers["Location"])
        self.order.invalidate_recordset()
        self.assertEqual(self.order.state, "rejected")
        self.assertEqual(self.order.approved_by_id, self.contact)
        self.assertFalse(self.order.invoice_line_id)

    def test_another_client_reaches_nothing(self):
        self.login_as(self.user_b)
        page = self.url_open(f"/my/change_orders/{self.order.id}")
        self.assertEqual(page.status_code, 404)
        self.assertNotIn("Twenty more mailboxes", page.text)
        response = self.post_decision(self.order, "approve")
        self.assertEqual(response.status_code, 404)
        self.order.invalidate_recordset()
        self.assertEqual(self.order.state, "sent")
        listing = self.url_open("/my/change_orders")
        self.assertEqual(listing.status_code, 200)
        self.assertIn("Bravo extra switch", listing.text)
        self.assertNotIn("Twenty more mailboxes", listing.text)
        # Alpha's project page is not theirs either (Odoo sends them home)
        project_page = self.url_open(f"/my/projects/{self.project.id}")
        self.assertNotIn("Twenty more mailboxes", project_page.text)
        self.assertRpcDenied("msp.change.order", self.order.ids)
        # nor can they write it over RPC
        for vals in ({"title": "Cheaper"}, {"state": "approved"}):
            _result, error = self.rpc(
                "msp.change.order", "write", self.order_b.ids, vals
            )
            self.assertEqual(error, "odoo.exceptions.AccessError", vals)
        _result, error = self.rpc(
            "msp.change.order", "_msp_decide", self.order_b.ids, "approve", 1
        )
        self.assertIsNotNone(error)
        self.order_b.invalidate_recordset()
        self.assertEqual(self.order_b.state, "sent")

    def test_draft_is_never_shown(self):
        self.login_as(self.portal_user)
        page = self.url_open(f"/my/change_orders/{self.draft.id}")
        self.assertEqual(page.status_code, 404)
        listing = self.url_open("/my/change_orders")
        self.assertIn("Twenty more mailboxes", listing.text)
        self.assertNotIn("Secret draft idea", listing.text)
        self.assertRpcDenied("msp.change.order", self.draft.ids)
        response = self.post_decision(self.draft, "approve")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.draft.state, "draft")

    def test_decision_needs_csrf_and_a_login(self):
        self.login_as(self.portal_user)
        response = self.post_decision(self.order, "approve", csrf=False)
        self.assertEqual(response.status_code, 400)
        self.order.invalidate_recordset()
        self.assertEqual(self.order.state, "sent")
        # the e-mailed link: readable without a login, not decidable
        self.authenticate(None, None)
        token_url = self.order._get_share_url()
        page = self.url_open(token_url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Twenty more mailboxes", page.text)
        self.assertIn("o_msp_co_login", page.text)
        self.assertNotIn("o_msp_co_approve", page.text)
        self.assertEqual(
            self.url_open(
                f"/my/change_orders/{self.order.id}?access_token=wrong"
            ).status_code,
            404,
        )
        response = self.url_open(
            f"/my/change_orders/{self.order.id}/decision",
            data={"decision": "approve", "csrf_token": self.csrf_token(),
                  "access_token": self.order.access_token},
            allow_redirects=False,
        )  # fmt: skip
        self.assertNotEqual(response.status_code, 200)
        self.assertIn(response.status_code, (302, 303, 400, 403, 404))
        self.order.invalidate_recordset()
        self.assertEqual(self.order.state, "sent")

    def test_empty_state_and_counter(self):
        self.login_as(self.user_c)
        listing = self.url_open("/my/change_orders")
        self.assertEqual(listing.status_code, 200)
        self.assertIn("No change order to show", listing.text)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["msp_change_order_count"]}
        )
        self.assertEqual(counters["msp_change_order_count"], 0)
        self.login_as(self.portal_user)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["msp_change_order_count"]}
        )
        self.assertEqual(counters["msp_change_order_count"], 1)
        self.assertIn("/my/change_orders", self.url_open("/my").text)

    def test_malformed_urls_are_not_errors(self):
        self.login_as(self.portal_user)
        urls = ("/my/change_orders/abc", "/my/change_orders/999999999",
                "/my/change_orders/page/x", "/my/change_orders?page=x")  # fmt: skip
        for url in urls:
            response = self.url_open(url, allow_redirects=False)
            self.assertIn(response.status_code, (200, 303, 302, 404), url)
        response = self.post_decision(self.order, "bogus")
        self.assertIn(response.status_code, (302, 303))
        self.order.invalidate_recordset()
        self.assertEqual(self.order.state, "sent")
