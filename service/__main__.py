"""`python -m bunrui.service` runs the bunrui command line."""

import sys

from .cli import main

sys.exit(main())
