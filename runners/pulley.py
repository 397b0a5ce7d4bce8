"""Pulley, Wasmtime's portable interpreter (`--target pulley64`)."""

from __future__ import annotations

from runners.wasmtime import Wasmtime


class Pulley45(Wasmtime):
    name = "pulley-45"
    family = "pulley"
    major = 45
    engine_flags = ("--target", "pulley64")
