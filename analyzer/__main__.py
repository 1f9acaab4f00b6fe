"""`python -m analyzer` is `scopelens`."""

from analyzer.cli import main

main()
