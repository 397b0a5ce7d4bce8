"""The site's template environment: Jinja2 with autoescape, control bytes shown as escapes, and
undefined names an error (a template typo fails the build, not the page)."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from harness.report.text import printable


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return Markup(printable(str(value)))
    if isinstance(value, str):
        return printable(value)
    return value


@cache
def environment() -> Environment:
    return Environment(loader=PackageLoader("harness.report.site", "templates"), autoescape=True,
                       undefined=StrictUndefined, finalize=_finalize, trim_blocks=True,
                       lstrip_blocks=True, keep_trailing_newline=True)


def render(template: str, **context: Any) -> str:
    """A page from its template."""
    return environment().get_template(template).render(**context)
