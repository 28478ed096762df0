from . import test_msp_asset
