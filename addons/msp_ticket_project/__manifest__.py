# Copyright 2026 MSP Suite contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "MSP Ticket vs Project",
    "summary": "Estimate thresholds, ticket-to-project conversion, phases, "
    "kickoff gate, change orders, hypercare, project margin",
    "version": "18.0.1.0.0",
    "license": "AGPL-3",
    "category": "Services/Helpdesk",
    "author": "MSP Suite contributors",
    "website": "https://github.com/msp-suite/msp-suite",
    "depends": [
        "msp_routing",
        "msp_mrr_billing",
        "helpdesk_mgmt_project",
        "project_template",
    ],
    "data": [
        "security/msp_ticket_project_security.xml",
        "security/ir.model.access.csv",
        "views/menus.xml",
        "data/msp_project_billing_data.xml",
        "views/project_billing_views.xml",
        "security/msp_project_gate_security.xml",
        "views/project_gate_views.xml",
        "data/mail_activity_type_data.xml",
        "views/helpdesk_ticket_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/msp_ticket_convert_views.xml",
        "security/msp_change_order_security.xml",
        "data/msp_change_order_data.xml",
        "views/msp_change_order_views.xml",
        "views/portal_templates.xml",
        "views/project_milestone_views.xml",
        "views/project_views.xml",
        "report/msp_project_analysis_views.xml",
        "data/msp_project_template_data.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "msp_ticket_project/static/src/tours/*.js",
        ],
    },
    "demo": ["demo/msp_ticket_project_demo.xml"],
    "installable": True,
}
