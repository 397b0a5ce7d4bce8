"""A cell and its run: cases and cells, the per-process context, the case kinds, judgment."""
