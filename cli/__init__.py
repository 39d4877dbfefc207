"""cairn's command line (Typer): the only layer that reads configuration and the environment."""
