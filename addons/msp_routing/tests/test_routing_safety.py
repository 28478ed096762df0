# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .test_routing import RoutingCase


@tagged("post_install", "-at_install")
class TestRoutingRuleSafety(RoutingCase):
    def test_bad_domains_are_refused_on_save(self):
        for domain in (
            "[('no_such_field', '=', 1)]",
            "[('name', 'no-op', 1)]",
            "not a domain",
            "{'a': 1}",
            "[('partner_id.nope', '=', 1)]",
        ):
            with self.assertRaises(ValidationError, msg=domain) as caught:
                self.rule(domain=domain)
            self.assertIn("not a valid domain", str(caught.exception))
        rule = self.rule(domain="[('partner_id.name', 'ilike', 'x')]")
        with self.assertRaises(ValidationError):
            rule.domain = "[('nope', '=', 1)]"

    def test_catastrophic_patterns_are_refused_on_save(self):
        for pattern in ("(a+)+$", "(a|a)*b", "(.*)*x", r"^(\w+\s?)+$"):
            with self.assertRaises(ValidationError, msg=pattern) as caught:
                self.rule(subject_regex=pattern)
            self.assertIn("very long", str(caught.exception))
            with self.assertRaises(ValidationError, msg=pattern):
                self.rule(body_regex=pattern)
        self.rule(subject_regex=r"^(re|fw):\s*outage", body_regex=r"(\d{1,3}\.){3}")

    def test_a_broken_rule_is_skipped_and_intake_carries_on(self):
        broken_domain = self.rule(sequence=1, set_priority="3", continue_matching=True)
        broken_regex = self.rule(sequence=2, set_priority="3", continue_matching=True)
        good = self.rule(sequence=3, set_team_id=self.team.id)
        # changed behind the form's back (a field removed, a script)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE msp_routing_rule SET domain = %s WHERE id = %s",
            ["[('x_removed_field', '=', 1)]", broken_domain.id],
        )
        self.env.cr.execute(
            "UPDATE msp_routing_rule SET subject_regex = %s WHERE id = %s",
            ["(a+)+$", broken_regex.id],
        )
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        logger = "odoo.addons.msp_routing.models.msp_routing_rule"
        with self.assertLogs(logger, "WARNING") as logs:
            ticket = self.ticket(name="a" * 40 + "!")
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.priority, "1", "the broken rules did not apply")
        self.assertEqual(ticket.msp_routing_log_ids.rule_id, good)
        output = "\n".join(logs.output)
        self.assertIn(f"routing rule {broken_domain.id} skipped", output)
        self.assertIn(f"routing rule {broken_regex.id} (rule) skipped", output)
