"""Run the maskthefer command line from a checkout: `python cli.py --help` (same as `maskthefer --help`)."""

from maskthefer.cli import main

if __name__ == "__main__":
    main()
