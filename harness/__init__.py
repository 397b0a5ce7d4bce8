"""wasm-conformance: a cross-runtime conformance harness for Rust's WebAssembly targets."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
