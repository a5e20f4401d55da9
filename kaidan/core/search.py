"""Forgiving search for pickers and lists: a stored, lowercased search column that holds the
original text, its full pinyin and its pinyin initials, so `笔记本`, `bijiben` and `bjb` all find
笔记本电脑. Queries are split on spaces and every word must match (AND).

Each searchable model keeps a `search_text` column filled by its service on every write (never in
save() or a signal) with ``search_text(...)``, and selectors filter with ``apply_search``. On
PostgreSQL a pg_trgm GIN index (``core.db.trigram_index``) serves the infix match; SQLite scans.
"""

from __future__ import annotations

import re
import unicodedata

from django.db.models import Q, QuerySet
from pypinyin import Style, lazy_pinyin

MAX_QUERY_WORDS = 6
_SPACES = re.compile(r"\s+")


def _has_cjk(text: str) -> bool:
    return any("CJK" in unicodedata.name(ch, "") for ch in text)


def normalize(text: str) -> str:
    """Lowercase, full-width to half-width (NFKC), single spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).strip().lower()


def pinyin_forms(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of the text without spaces, e.g. 笔记本电脑 → ('bijibendiannao', 'bjbdn')."""
    full = "".join(lazy_pinyin(text, errors="default")).replace(" ", "")
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).replace(" ", "")
    return normalize(full), normalize(initials)


def search_text(*parts: str | None) -> str:
    """The value of a search column: each part normalized, plus pinyin forms of the Chinese parts."""
    words: list[str] = []
    for part in parts:
        text = normalize(part or "")
        if not text:
            continue
        words.append(text)
        if _has_cjk(text):
            full, initials = pinyin_forms(text)
            words.extend([full, initials])
    return " | ".join(words)


def query_words(query: str | None) -> list[str]:
    """The words of a search box, normalized; at most MAX_QUERY_WORDS."""
    return [w for w in normalize(query or "").replace("|", " ").split(" ") if w][:MAX_QUERY_WORDS]


def apply_search(queryset: QuerySet, query: str | None, field: str = "search_text") -> QuerySet:
    """Keep the rows whose search column contains every word of the query (case already folded)."""
    condition = Q()
    for word in query_words(query):
        condition &= Q(**{f"{field}__contains": word})
    return queryset.filter(condition)
