# Copyright 2026 MSP Suite contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "MSP MRR Billing",
    "summary": "Contract-cycle MRR billing to draft invoices: base fee, unit counts, "
    "overage, prepaid blocks, variance review",
    "version": "18.0.3.1.0",
    "license": "AGPL-3",
    "category": "Accounting/Accounting",
    "author": "MSP Suite contributors",
    "website": "https://github.com/msp-suite/msp-suite",
    "depends": [
        "account",
        "contract",
        "msp_assets",
        "msp_sla",
        "msp_time",
        "queue_job",
    ],
    "data": [
        "security/ir.model.access.csv",
        "security/msp_mrr_billing_security.xml",
        "data/mail_activity_type_data.xml",
        "data/ir_sequence_data.xml",
        "data/queue_job_channel_data.xml",
        "views/account_analytic_line_views.xml",
        "views/contract_views.xml",
        "views/contract_portal_templates.xml",
        "views/account_portal_templates.xml",
        "views/menus.xml",
        "report/msp_mrr_report_views.xml",
        "report/msp_wip_report_views.xml",
        "report/msp_realization_report_views.xml",
        "report/msp_contract_profitability_report_views.xml",
        "report/msp_billing_report_security.xml",
    ],
    "demo": ["demo/msp_mrr_billing_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "msp_mrr_billing/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
