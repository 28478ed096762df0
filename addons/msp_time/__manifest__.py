# Copyright 2026 MSP Suite contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "MSP Time Capture",
    "summary": "Timers, work types, billing increments, daily review and period lock",
    "version": "18.0.1.2.0",
    "license": "AGPL-3",
    "category": "Services/Timesheets",
    "author": "MSP Suite contributors",
    "website": "https://github.com/msp-suite/msp-suite",
    "depends": [
        "msp_base",
        "calendar",
        "helpdesk_mgmt_timesheet",
        "project_timesheet_time_control",
    ],
    "data": [
        "security/msp_time_security.xml",
        "security/ir.model.access.csv",
        "data/msp_time_data.xml",
        "views/msp_work_type_views.xml",
        "views/account_analytic_line_views.xml",
        "views/msp_time_list_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/msp_time_review_views.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/msp_time_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "msp_time/static/src/systray/*",
        ],
        "web.assets_tests": [
            "msp_time/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "installable": True,
}
