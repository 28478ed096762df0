from . import test_install
from . import test_project_billing
from . import test_hypercare
from . import test_gate
from . import test_threshold
from . import test_convert
from . import test_convert_tour
