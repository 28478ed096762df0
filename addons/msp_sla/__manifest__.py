# Copyright 2026 MSP Suite contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "MSP SLA",
    "summary": "SLA profiles per contract, honest clocks, warnings and breaches",
    "version": "18.0.1.1.0",
    "license": "AGPL-3",
    "category": "Services/Helpdesk",
    "author": "MSP Suite contributors",
    "website": "https://github.com/msp-suite/msp-suite",
    "depends": [
        "msp_base",
        # "when SLA status becomes breached" rules (the status is written
        # through the ORM for them)
        "base_automation",
        "contract",
        "resource",
    ],
    "data": [
        "security/ir.model.access.csv",
        "security/msp_sla_security.xml",
        "security/contract_portal_security.xml",
        "data/msp_sla_data.xml",
        "data/msp_sla_activity_data.xml",
        "data/msp_sla_cron.xml",
        "data/mail_template_data.xml",
        "views/msp_sla_profile_views.xml",
        "views/msp_sla_breach_views.xml",
        "views/msp_sla_report_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/msp_sla_config_views.xml",
        "views/helpdesk_portal_templates.xml",
    ],
    "demo": ["demo/msp_sla_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "msp_sla/static/src/components/*",
        ],
        "web.assets_tests": [
            "msp_sla/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "installable": True,
}
