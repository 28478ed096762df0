from . import test_routing
from . import test_intake_webhook
from . import test_install
from . import test_phone
from . import test_demo_examples
from . import test_routing_access
from . import test_webhook_security
from . import test_routing_safety
