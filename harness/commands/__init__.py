"""Command-line commands that are more than a call into a package (doctor, expectations)."""
