"""Where cases come from: the project's YAML suites, wasi-testsuite checkouts, the registry of sources."""
