"""Both catalogues are complete and every template string is in them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.i18n_check import problems

ROOT = Path(__file__).resolve().parents[1]


def test_no_untranslated_or_fuzzy_entries():
    found = problems(ROOT / "translations")
    assert found == [], "\n".join(found)


def test_catalogues_cover_every_message_in_the_code(tmp_path):
    """Extract afresh: a message added to the code but not to the catalogues fails here."""
    from babel.messages.pofile import read_po

    pot = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    for lang in ("vi", "en"):
        with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
            have = {m.id for m in read_po(fh) if m.id and m.string}
        missing = wanted - have
        assert not missing, f"{lang}: run `make translations-update` and translate: {sorted(missing)[:10]}"
