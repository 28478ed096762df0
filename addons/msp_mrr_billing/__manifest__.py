# Copyright 2026 MSP Suite contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "MSP MRR Billing",
    "summary": "Contract-cycle MRR billing to draft invoices: base fee, unit counts, "
    "overage, prepaid blocks, variance review",
    "version": "18.0.1.0.0",
    "license": "AGPL-3",
    "category": "Accounting/Accounting",
    "author": "MSP Suite contributors",
    "website": "https://github.com/msp-suite/msp-suite",
    "depends": [
        "msp_time",
        "msp_assets",
        "contract",
    ],
    "data": [
        "security/ir.model.access.csv",
        "views/menus.xml",
    ],
    "installable": True,
}
