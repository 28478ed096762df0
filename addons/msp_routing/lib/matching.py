# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Routing rule matching on plain data (no ORM), so it is fast and testable.

A rule is a dict of optional conditions; an empty condition matches anything:
``client_ids``, ``client_tag_ids``, ``sender_domains``, ``channel_ids``,
``category_ids``, ``asset_type_ids``, ``priorities`` (sets), ``subject_regex``,
``body_regex`` (compiled patterns or None), ``hours`` ("any", "business", "after") and
``continue`` (bool). Facts describe the ticket being routed.
"""

import re
from re import _constants as sre_constants
from re import _parser as sre_parser

# Text a rule's regular expressions look at: bounded, so that even a
# polynomial pattern (a*a*b) stays cheap.
SUBJECT_LIMIT = 500
BODY_LIMIT = 4000
PATTERN_LIMIT = 500
_REPEATS = {
    sre_constants.MAX_REPEAT,
    sre_constants.MIN_REPEAT,
    getattr(sre_constants, "POSSESSIVE_REPEAT", sre_constants.MAX_REPEAT),
}

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


def _children(op, av):
    if op in _REPEATS:
        return [av[2]]
    if op == sre_constants.SUBPATTERN:
        return [av[3]]
    if op == sre_constants.BRANCH:
        return list(av[1])
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return [av[1]]
    if op == sre_constants.ATOMIC_GROUP:
        return [av]
    if op == sre_constants.GROUPREF_EXISTS:
        return [branch for branch in av[1:] if branch]
    return []


def regex_risk(pattern):
    """Why ``pattern`` risks catastrophic backtracking, or None. Refused:
    a quantified group holding another quantifier where either repeats
    without bound ((a+)+, (.*)*, (\\w+\\s?){2,}), and an alternation inside
    a group repeated without bound ((a|ab)*, (a|a)*). Raises re.error for
    an invalid pattern."""
    if len(pattern) > PATTERN_LIMIT:
        return f"longer than {PATTERN_LIMIT} characters"
    parsed = sre_parser.parse(pattern, re.IGNORECASE)
    stack = [(parsed, None)]  # (items, enclosing repeat: None/bounded/unbounded)
    while stack:
        items, outer = stack.pop()
        for op, av in items:
            inner = outer
            if op in _REPEATS and av[1] > 1:
                unbounded = av[1] == sre_constants.MAXREPEAT
                if outer and (unbounded or outer == "unbounded"):
                    return "a quantifier inside a quantified group"
                inner = "unbounded" if unbounded or outer == "unbounded" else "bounded"
            elif op == sre_constants.BRANCH and outer == "unbounded":
                return "an alternation inside a group repeated without bound"
            stack.extend((child, inner) for child in _children(op, av))
    return None


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
        (facts.get("subject") or "")[:SUBJECT_LIMIT]
    ):
        return False
    if rule.get("body_regex") and not rule["body_regex"].search(
        (facts.get("body") or "")[:BODY_LIMIT]
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
