from . import msp_asset_type
from . import msp_asset
from . import msp_asset_sync_run
from . import msp_asset_source
from . import msp_asset_snapshot
from . import helpdesk_ticket
from . import res_partner
from . import res_company
