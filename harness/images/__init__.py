"""The Docker engine and the images: the base, the recipes and their tags, registry pins and checks."""
