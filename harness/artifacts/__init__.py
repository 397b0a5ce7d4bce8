"""Making artifacts: the fixtures' workspace, prebuilt guests, crate sources, the artifact cache,
and what an artifact imports."""
