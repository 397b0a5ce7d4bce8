"""Text from a guest made safe to show: control bytes become visible escapes (`\\x1b`), so that
no page carries them raw (HTML escaping alone leaves them)."""

from __future__ import annotations

import re
from html import escape

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with every control character but tab, line feed and carriage return as `\\xNN`."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def html_text(text: object, quote: bool = True) -> str:
    """HTML-escaped and printable: for pages written without a template."""
    return escape(printable(str(text)), quote=quote)
