"""``python -m ctrlapp``: the same as ``ctrlapp-manager``."""

import sys

from ctrlapp.cmd.manager import main

sys.exit(main())
