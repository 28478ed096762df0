# Copyright 2026 MSP Suite contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "MSP Time Capture",
    "summary": "Timers, work types, billing increments and period lock",
    "version": "18.0.1.0.0",
    "license": "AGPL-3",
    "category": "Services/Timesheets",
    "author": "MSP Suite contributors",
    "website": "https://github.com/msp-suite/msp-suite",
    "depends": [
        "msp_base",
        "helpdesk_mgmt_timesheet",
        "project_timesheet_time_control",
    ],
    "data": [
        "security/msp_time_security.xml",
        "security/ir.model.access.csv",
        "views/menus.xml",
    ],
    "demo": ["demo/msp_time_demo.xml"],
    "installable": True,
}
