"""`python -m amentor_build.cli`: the same as the `amentor` command."""

import sys

from . import main

sys.exit(main())
