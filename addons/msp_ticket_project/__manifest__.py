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
        "views/project_milestone_views.xml",
        "views/project_views.xml",
        "report/msp_project_analysis_views.xml",
        "data/msp_project_template_data.xml",
    ],
    "demo": ["demo/msp_ticket_project_demo.xml"],
    "installable": True,
}
