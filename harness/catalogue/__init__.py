"""What the project knows of the world: targets, toolchains, runtime release lines, build profiles."""
