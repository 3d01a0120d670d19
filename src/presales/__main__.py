"""`python -m presales` is the `presales` command."""

import sys

from presales.cli import main

sys.exit(main())
