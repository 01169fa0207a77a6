"""Numbers as people type them: Vietnamese (1.234.567,5) or English (1,234,567.5) grouping."""

from __future__ import annotations

import re

_GROUPED_DOTS = re.compile(r"^\d{1,3}(\.\d{3})+$")
_GROUPED_COMMAS = re.compile(r"^\d{1,3}(,\d{3})+$")


def plain_number(text: str) -> str:
    """The text with grouping removed and a '.' decimal point, ready for float()."""
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if _GROUPED_DOTS.match(text):
        return text.replace(".", "")
    if _GROUPED_COMMAS.match(text):
        return text.replace(",", "")
    if "," in text and "." in text:
        return text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
    return text.replace(",", ".")


def parse_amount_vnd(text: str | None) -> int | None:
    """An amount in đồng (whole, not negative); None when blank. Raises ValueError when unreadable."""
    text = (text or "").strip().removesuffix("đ").removesuffix("₫").removesuffix("VND").strip()
    if not text:
        return None
    value = float(plain_number(text))
    if value < 0 or value != value or value > 10**16:
        raise ValueError(text)
    return round(value)
