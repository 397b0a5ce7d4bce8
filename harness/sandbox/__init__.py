"""The guest sandbox: the container, the executor inside it, and what it observed (outcomes)."""
