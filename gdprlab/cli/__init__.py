"""The `gdprlab` command: the parser in cli/main.py, each user's subcommands in a module of their own."""
