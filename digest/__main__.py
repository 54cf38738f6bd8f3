"""`python -m digest`: the same as the `digest` command."""

from digest.commands.cli import main

main()
