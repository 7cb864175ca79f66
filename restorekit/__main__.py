"""``python -m restorekit`` is the ``restorekit`` command."""

import sys

from restorekit.cli import main

sys.exit(main())
