# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestMspBaseTour(HttpCase):
    def test_open_msp_app(self):
        """A dispatcher opens the MSP app and sees the queue and clients."""
        new_test_user(
            self.env,
            login="msp_tour_dispatcher",
            groups="base.group_user,msp_base.group_msp_dispatcher",
        )
        client = self.env["res.partner"].create(
            {
                "name": "Legal Firm A LLP",
                "is_company": True,
                "msp_email_domain": "tour.legal-firm-a.com",
            }
        )
        self.env["helpdesk.ticket"].create(
            {
                "name": "Tour: e-mail outage",
                "description": "<p>Nobody can send mail.</p>",
                "partner_id": client.id,
            }
        )
        self.start_tour("/odoo", "msp_base_open_app", login="msp_tour_dispatcher")
