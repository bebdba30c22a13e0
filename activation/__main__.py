"""`python -m activation`: the same command line as the `activation` script."""

import sys

from activation.cli import main

sys.exit(main())
