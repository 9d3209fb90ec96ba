"""`python -m gdprlab` runs the command line."""

import sys

from gdprlab.cli import main

sys.exit(main())
