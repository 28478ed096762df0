from . import msp_asset_reconciliation
