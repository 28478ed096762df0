# Copyright 2026 MSP Suite contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "MSP Base",
    "summary": "Security groups, top menu and shared pieces of the MSP suite",
    "version": "18.0.1.0.0",
    "license": "AGPL-3",
    "category": "Services/Helpdesk",
    "author": "MSP Suite contributors",
    "website": "https://github.com/msp-suite/msp-suite",
    "depends": ["helpdesk_mgmt", "account", "auth_signup"],
    "data": [
        "security/msp_security.xml",
        "security/ir.model.access.csv",
        "data/auth_signup_data.xml",
        "data/helpdesk_stage_data.xml",
        "views/msp_ticket_views.xml",
        "views/msp_menus.xml",
        "views/res_partner_views.xml",
        "views/helpdesk_portal_templates.xml",
    ],
    "demo": ["demo/msp_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "msp_base/static/tests/tours/*.js",
        ],
    },
    "application": True,
    "installable": True,
}
