"""``python -m importsub`` is the ``importsub`` command."""

from importsub.cli.main import main

main()
