"""An extra runtime column, outside the package: Wasmtime 45 with its Winch baseline compiler.

Use it with `pytest suites/ --runtime-plugin docs/examples/winch_runtime.py --runtimes winch`
(and `python -m harness --runtime-plugin docs/examples/winch_runtime.py doctor`).
"""

from __future__ import annotations

from runners.wasmtime import Wasmtime


class Winch45(Wasmtime):
    """`wasmtime-45 run -C compiler=winch`: the same binary, its baseline compiler."""

    name = "winch-45"
    family = "winch"
    rank = 15  # after the Cranelift columns, before Pulley
    major = 45
    package = "wasmtime-45"  # the image label that records the binary's package version
    engine_flags = ("-C", "compiler=winch")
    threads = False
    limitations = {"threads": "Winch does not compile the threads proposal's shared memory"}
