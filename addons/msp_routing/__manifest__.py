# Copyright 2026 MSP Suite contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "MSP Intake and Routing",
    "summary": "Every channel into one queue, tagged, routed and escalated by rules",
    "version": "18.0.1.3.0",
    "license": "AGPL-3",
    "category": "Services/Helpdesk",
    "author": "MSP Suite contributors",
    "website": "https://github.com/msp-suite/msp-suite",
    "depends": [
        "msp_base",
        "msp_sla",
        "msp_time",
        "msp_assets",
    ],
    "data": [
        "security/msp_routing_security.xml",
        "security/ir.model.access.csv",
        "data/msp_routing_data.xml",
        "views/msp_routing_rule_views.xml",
        "views/msp_escalation_rule_views.xml",
        "views/msp_oncall_views.xml",
        "views/msp_intake_views.xml",
        "views/msp_phone_call_views.xml",
        "views/msp_catchall_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/msp_routing_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "msp_routing/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
