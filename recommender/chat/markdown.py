"""Text from the catalogue or the model shown inside the chat's markdown: "M*A*S*H" must not turn italic."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_\[\]<>~|])")


def escape(text: str) -> str:
    """`text` with markdown's special characters escaped, so it shows as written."""
    return _SPECIAL.sub(r"\\\1", str(text))
