"""The registry's full-text conditions on `enterprise.search_text`, for the directory and the staff lookup.

search_text holds the folded words of a record (name without its legal form, products, commune);
FTS5 on SQLite and a GIN tsvector index on PostgreSQL index it, splitting words the same way.
"""

from __future__ import annotations

from sqlalchemy import and_, func, literal, select, text
from sqlalchemy.sql import ColumnElement

from app.extensions import db
from app.models import Enterprise


def match_condition(terms: list[str]) -> ColumnElement[bool]:
    """All terms match words of search_text, the last one as a prefix, found through the engine's
    full-text index: the way to go when few enterprises match."""
    if db.engine.dialect.name == "sqlite":
        expression = " ".join(f'"{t}"' for t in terms[:-1]) + (" " if len(terms) > 1 else "") + f'"{terms[-1]}"*'
        return Enterprise.id.in_(
            select(text("rowid"))
            .select_from(text("enterprise_fts"))
            .where(text("enterprise_fts MATCH :fts"))
            .params(fts=expression)
        )
    expression = " & ".join(terms[:-1] + [f"{terms[-1]}:*"])
    # The same expression as the GIN index ix_enterprise_search_tsv, so that the index is used.
    return text("to_tsvector('simple', enterprise.search_text) @@ to_tsquery('simple', :tsq)").bindparams(
        tsq=expression
    )


def words_condition(terms: list[str]) -> ColumnElement[bool]:
    """The same test as match_condition, made on each row's search_text without the index.

    search_text holds folded words (letters and digits) separated by single spaces, which is
    exactly how FTS5 and to_tsvector split it, so " word " inside " search_text " is a whole word
    and " prefix" inside " search_text" a word starting with the prefix. A broad search reads rows
    in the order it shows them and stops once it has a page, instead of collecting every match the
    index holds (FTS5 merges the posting lists of every word of a short prefix before the first row).
    """
    padded = literal(" ") + Enterprise.search_text + literal(" ")
    conditions = [contains(padded, f" {t} ") for t in terms[:-1]]
    conditions.append(contains(literal(" ") + Enterprise.search_text, f" {terms[-1]}"))
    return and_(*conditions)


def contains(column, needle: str) -> ColumnElement[bool]:
    """Case-sensitive containment on both engines (the column is already lower-cased)."""
    if db.engine.dialect.name == "sqlite":
        return func.instr(column, needle) > 0
    return func.strpos(column, needle) > 0
