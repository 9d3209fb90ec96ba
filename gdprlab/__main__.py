"""`python -m gdprlab` runs the command line."""

import sys

from gdprlab.cli.main import main

sys.exit(main())
