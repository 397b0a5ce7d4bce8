"""Runtime and builder plugins, one small module each."""
