from . import test_install
from . import test_project_billing
from . import test_hypercare
from . import test_gate
