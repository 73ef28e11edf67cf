"""One module per CLI subcommand: `add_parser(subparsers)` registers it and sets `run` as its handler.
Keep module-level imports light (argparse and config only)."""
