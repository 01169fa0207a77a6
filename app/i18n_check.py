"""Find untranslated or fuzzy entries in the translation catalogues."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po


def problems(translations_dir: Path) -> list[str]:
    found = []
    for po_path in sorted(translations_dir.glob("*/LC_MESSAGES/messages.po")):
        with open(po_path, "rb") as fh:
            catalog = read_po(fh)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy:
                found.append(f"{po_path}: fuzzy: {message.id!r}")
            elif not all(strings):
                found.append(f"{po_path}: untranslated: {message.id!r}")
    return found
