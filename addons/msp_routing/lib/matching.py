# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Routing rule matching on plain data (no ORM), so it is fast and testable.

A rule is a dict of optional conditions; an empty condition matches anything:
``client_ids``, ``client_tag_ids``, ``sender_domains``, ``channel_ids``,
``category_ids``, ``asset_type_ids``, ``priorities`` (sets), ``subject_regex``,
``body_regex`` (compiled patterns or None), ``hours`` ("any", "business", "after") and
``continue`` (bool). Facts describe the ticket being routed.
"""

import re

SUBJECT_PREFIX = re.compile(
    r"^\s*((re|fw|fwd|aw|wg|tr|sv|vs)\s*(\[\d+\])?\s*:\s*)+", re.I
)


def clean_subject(subject):
    """Drop reply/forward prefixes: 'RE: Fwd: Outage' -> 'Outage'."""
    return SUBJECT_PREFIX.sub("", subject or "").strip()


def email_domain(email):
    email = (email or "").strip().lower()
    if "@" not in email:
        return ""
    return email.rsplit("@", 1)[1].rstrip(">").strip()


def rule_matches(rule, facts):
    def within(key, value):
        allowed = rule.get(key)
        return not allowed or value in allowed

    if not within("client_ids", facts.get("client_id")):
        return False
    if rule.get("client_tag_ids") and not (
        rule["client_tag_ids"] & set(facts.get("client_tag_ids") or ())
    ):
        return False
    if not within("sender_domains", facts.get("sender_domain")):
        return False
    if not within("channel_ids", facts.get("channel_id")):
        return False
    if not within("category_ids", facts.get("category_id")):
        return False
    if not within("asset_type_ids", facts.get("asset_type_id")):
        return False
    if not within("priorities", facts.get("priority")):
        return False
    hours = rule.get("hours") or "any"
    if hours != "any" and (hours == "business") != bool(facts.get("business_hours")):
        return False
    if rule.get("subject_regex") and not rule["subject_regex"].search(
        facts.get("subject") or ""
    ):
        return False
    if rule.get("body_regex") and not rule["body_regex"].search(
        facts.get("body") or ""
    ):
        return False
    return True


def select_rules(rules, facts, extra_check=None, on_match=None):
    """The rules that apply, in order: the first match wins unless it says
    ``continue``. ``extra_check(rule)`` can veto a match (domain filters);
    ``on_match(rule)`` applies a rule and returns the facts the next rules
    see (a rule that raises the priority feeds the P1 rule after it)."""
    selected = []
    for rule in rules:
        if not rule_matches(rule, facts):
            continue
        if extra_check and not extra_check(rule):
            continue
        selected.append(rule)
        if on_match:
            facts = on_match(rule) or facts
        if not rule.get("continue"):
            break
    return selected
