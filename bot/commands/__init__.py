"""The CLI subcommands, one module each; they build the app and print."""
