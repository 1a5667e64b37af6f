"""`python -m amentor_build.cli`: the same as the `amentor` command."""

from . import run

run()
