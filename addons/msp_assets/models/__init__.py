from . import msp_asset
