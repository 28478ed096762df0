# Copyright 2026 MSP Suite contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "MSP Assets",
    "summary": "Asset inventory per client, synced from RMM tools and Microsoft 365",
    "version": "18.0.2.3.0",
    "license": "AGPL-3",
    "category": "Services/Helpdesk",
    "author": "MSP Suite contributors",
    "website": "https://github.com/msp-suite/msp-suite",
    "depends": [
        "msp_base",
        "mail",
        "base_import",
        "queue_job",
    ],
    "external_dependencies": {"python": ["requests", "xlsxwriter"]},
    "data": [
        "security/ir.model.access.csv",
        "security/msp_assets_security.xml",
        "data/msp_asset_type_data.xml",
        "data/msp_assets_cron.xml",
        "data/queue_job_channel_data.xml",
        "data/queue_job_function_data.xml",
        "views/msp_asset_views.xml",
        "views/msp_asset_source_views.xml",
        "views/helpdesk_portal_templates.xml",
    ],
    "demo": ["demo/msp_asset_demo.xml"],
    "installable": True,
}
