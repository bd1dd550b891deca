"""`python -m hearthkeeper` runs the `hearth` command."""

from hearthkeeper.cli import main

main()
