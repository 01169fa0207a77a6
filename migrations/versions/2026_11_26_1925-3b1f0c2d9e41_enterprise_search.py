"""Enterprise search: search_text with its full-text index, name_lower and name_sort.

SQLite: an FTS5 table over enterprise.search_text (external content, kept in step by triggers).
PostgreSQL: a GIN index on to_tsvector('simple', search_text). Both match the same folded tokens,
so the two engines return the same enterprises for the same query.

Revision ID: 3b1f0c2d9e41
Revises: 667f2f99ce7a
Create Date: 2026-11-26 19:25:00
"""

import sqlalchemy as sa
import re
import unicodedata

from alembic import op

revision = "3b1f0c2d9e41"
down_revision = "667f2f99ce7a"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = (
    """CREATE TRIGGER enterprise_fts_insert AFTER INSERT ON enterprise BEGIN
         INSERT INTO enterprise_fts(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
    """CREATE TRIGGER enterprise_fts_delete AFTER DELETE ON enterprise BEGIN
         INSERT INTO enterprise_fts(enterprise_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
       END""",
    """CREATE TRIGGER enterprise_fts_update AFTER UPDATE OF search_text ON enterprise BEGIN
         INSERT INTO enterprise_fts(enterprise_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
         INSERT INTO enterprise_fts(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
)


# The text rules as they were at this revision, frozen here: a migration never imports the
# application, whose rules may change after it (app/text.py and app/search_text.py hold today's).
_LEGAL_FORMS = sorted(
    {"cong ty trach nhiem huu han", "trach nhiem huu han", "cong ty tnhh", "tnhh", "mot thanh vien", "mtv",
     "hai thanh vien tro len", "hai thanh vien", "cong ty co phan", "co phan", "ctcp", "cong ty hop danh",
     "hop danh", "doanh nghiep tu nhan", "dntn", "hop tac xa", "htx", "ho kinh doanh", "hkd", "chi nhanh",
     "van phong dai dien", "vpdd", "cong ty", "cty"},
    key=len, reverse=True,
)
_LEGAL_FORM_WORDS = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in _LEGAL_FORMS) + r")\b")
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}


def _normalize(text):
    text = "".join(" " if ch in "\t\r\n" else ch for ch in str(text or "")
                   if ch in "\t\r\n" or unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"})
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def _fold(text):
    decomposed = unicodedata.normalize("NFD", _normalize(text).replace("đ", "d").replace("Đ", "D"))
    kept = "".join(ch if unicodedata.category(ch).startswith("L") or unicodedata.category(ch) == "Nd" else " "
                   for ch in decomposed if unicodedata.category(ch) != "Mn")
    return re.sub(r"\s+", " ", kept.lower()).strip()


def search_text(name, extra=()):
    parts = [" ".join(_LEGAL_FORM_WORDS.sub(" ", _fold(name)).split())] + [_fold(x) for x in extra]
    return " ".join(p for p in parts if p)


def without_legal_form(name):
    tokens = name.split()
    folded, start, matched = [_fold(t) for t in tokens], 0, True
    while matched:
        matched = False
        for phrase in (p.split() for p in _LEGAL_FORMS):
            if folded[start:start + len(phrase)] == phrase:
                start, matched = start + len(phrase), True
                break
    return " ".join(tokens[start:]) or name


def vietnamese_sort_key(text):
    letters, tones = [], []
    for char in _normalize(text).lower():
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        tone = next((_TONES[m] for m in marks if m in _TONES), "0")
        shaped = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in _TONES))
        if shaped in _ALPHABET:
            letters.append(chr(ord("A") + _ALPHABET.index(shaped)))
        elif shaped.isdigit():
            letters.append(shaped)
        elif shaped.isspace():
            letters.append("!")
        else:
            continue
        tones.append(tone)
    return ("".join(letters) + " " + "".join(tones))[:300]


def _fill_search_text() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT e.id, e.name, c.name FROM enterprise e JOIN commune c ON c.code = e.commune_code")).all()
    products: dict[int, list[str]] = {}
    for enterprise_id, name in bind.execute(sa.text("SELECT enterprise_id, name FROM product WHERE is_active")):
        products.setdefault(enterprise_id, []).append(name)
    for enterprise_id, name, commune in rows:
        bind.execute(sa.text("UPDATE enterprise SET search_text = :t, name_lower = :l, name_sort = :s WHERE id = :i"),
                     {"t": search_text(name, [*products.get(enterprise_id, []), commune]), "l": name.lower(),
                      "s": vietnamese_sort_key(without_legal_form(name)), "i": enterprise_id})


def upgrade():
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("name_lower", sa.String(length=300), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("name_sort", sa.String(length=300), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_enterprise_name_sort"), ["name_sort"], unique=False)
    _fill_search_text()
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE enterprise_fts USING fts5(search_text, content='enterprise', "
                   "content_rowid='id', tokenize='unicode61 remove_diacritics 0')")
        op.execute("INSERT INTO enterprise_fts(enterprise_fts) VALUES ('rebuild')")
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
    else:
        op.execute("CREATE INDEX ix_enterprise_search_tsv ON enterprise USING gin (to_tsvector('simple', search_text))")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in ("enterprise_fts_insert", "enterprise_fts_delete", "enterprise_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS enterprise_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_enterprise_search_tsv")
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_name_sort"))
        batch_op.drop_column("name_sort")
        batch_op.drop_column("name_lower")
        batch_op.drop_column("search_text")
