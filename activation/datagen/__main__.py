"""``python -m activation.datagen``."""

import sys

from .cli import main

sys.exit(main())
