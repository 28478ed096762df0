from . import msp_asset_type
from . import msp_asset
from . import helpdesk_ticket
