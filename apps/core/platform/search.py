"""Full-text search over a model's text columns: one interface, two engines.

An app declares an index (``SearchIndex``: a table, its text columns) and creates it in one of
its migrations with ``CreateSearchIndex``, which builds what the database in use offers:

- PostgreSQL: a GIN index on ``to_tsvector('simple', <columns joined>)``; queries use the same
  expression (so the planner uses the index) with ``to_tsquery`` and ``ts_rank``. The ``simple``
  configuration does no stemming, so matching is the same words on both engines, in any language.
- SQLite (the embedded default): an external-content FTS5 table ``<table>_fts`` (``content=<table>``,
  ``content_rowid=id``: the text is not stored twice) kept in sync by three triggers made by the
  same operation, queried with ``MATCH`` and ranked by ``bm25``.

``matching(queryset, index, q)`` filters a queryset to the rows whose indexed text matches the
user's words and annotates ``search_rank`` (higher is better on both engines), ordered best
first. Users' words never reach either engine's query syntax: ``words`` keeps letters and digits
only, and each word is quoted (FTS5 ``"word"``, tsquery ``'word'``), so ``"``, ``*``, ``AND``,
``-`` or ``(`` are never operators. The last word matches as a prefix, so typing finds results.
``clean_query`` bounds what is asked (``MAX_CHARS``, ``MAX_WORDS``) with a message a form or an
API can show.

Tables remade by a later SQLite migration (Django copies the table and drops the old one, which
drops its triggers) get their triggers back after every ``migrate``: ``ensure_sqlite_triggers``
runs on ``post_migrate`` (core's ``apps.py``) and rebuilds an index whose triggers had gone.

Core names no app: the app passes its table and columns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import migrations
from django.db.models import BooleanField, F, FloatField, Func, Q, QuerySet, Value

MAX_CHARS = 100
MAX_WORDS = 8
# Letters and digits in any script; everything else (punctuation, operators, "_") separates words.
_WORD = re.compile(r"[^\W_]+")
# FTS5's tokenizer: Unicode-aware, case-folded, accents removed (so "Zoë" finds "zoe").
FTS5_TOKENIZE = "unicode61 remove_diacritics 2"


@dataclass(frozen=True)
class SearchIndex:
    """A full-text index over ``columns`` (text columns whose field name is their column name)
    of the table ``table``, whose integer primary key is ``id``. ``name`` names the PostgreSQL
    index; the SQLite FTS table is ``<table>_fts``."""

    name: str
    table: str
    columns: tuple[str, ...]

    @property
    def fts_table(self) -> str:
        return f"{self.table}_fts"


# --- The user's words -----------------------------------------------------------------------


def clean_query(q: str | None) -> str:
    """``q`` stripped, or a ``ValidationError`` (code ``too_long``) when it is longer than
    ``MAX_CHARS`` characters or has more than ``MAX_WORDS`` words. Empty is allowed (nothing to
    search: callers show the form only)."""
    q = (q or "").strip()
    if len(q) > MAX_CHARS:
        raise ValidationError(f"Search for at most {MAX_CHARS} characters.", code="too_long")
    if len(words(q)) > MAX_WORDS:
        raise ValidationError(f"Search for at most {MAX_WORDS} words.", code="too_long")
    return q


def words(q: str) -> list[str]:
    """The words of ``q`` as both engines will match them: runs of letters and digits, lower case."""
    return [word.lower() for word in _WORD.findall(q or "")]


def fts5_query(q: str) -> str:
    """``q`` as an FTS5 query: every word quoted (a phrase of one word, never syntax), all of them
    required, the last one a prefix. Empty when ``q`` has no words."""
    found = words(q)
    if not found:
        return ""
    quoted = [f'"{word}"' for word in found]
    quoted[-1] += "*"
    return " ".join(quoted)


def tsquery(q: str) -> str:
    """``q`` as a PostgreSQL ``to_tsquery`` text: quoted words joined by ``&``, the last ``:*``."""
    found = words(q)
    if not found:
        return ""
    quoted = [f"'{word}'" for word in found]
    quoted[-1] += ":*"
    return " & ".join(quoted)


# --- Queries --------------------------------------------------------------------------------


def _vector_sql(columns: Sequence[str]) -> str:
    """The indexed expression over already-compiled column references: the index and every
    query write it identically, so PostgreSQL's planner matches the one to the other."""
    joined = " || ' ' || ".join(f"COALESCE({column}, '')" for column in columns)
    return f"to_tsvector('simple'::regconfig, {joined})"


class _Search(Func):
    """The match (``rank=False``: a condition) or its rank (``rank=True``) of ``index`` against
    ``query`` for the row whose columns and primary key are the source expressions (paths from
    the queryset's model, so a related model's index works too)."""

    def __init__(self, index: SearchIndex, query: str, *, via: str, rank: bool) -> None:
        prefix = f"{via}__" if via else ""
        refs = [F(f"{prefix}{column}") for column in index.columns]
        super().__init__(
            *refs,
            F(f"{via}_id" if via else "pk"),
            output_field=FloatField() if rank else BooleanField(),
        )
        self.index, self.query, self.rank = index, query, rank

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        compiled = [compiler.compile(expression) for expression in self.get_source_expressions()]
        *columns, (pk_sql, pk_params) = compiled
        column_sql = [sql for sql, _ in columns]
        column_params = tuple(param for _, params in columns for param in params)
        if connection.vendor == "postgresql":
            vector = _vector_sql(column_sql)
            tsq = "to_tsquery('simple'::regconfig, %s)"
            sql = f"ts_rank({vector}, {tsq})" if self.rank else f"({vector} @@ {tsq})"
            return sql, (*column_params, self.query)
        if connection.vendor == "sqlite":
            fts = connection.ops.quote_name(self.index.fts_table)
            # Only quoted identifiers and compiled columns are formatted in; the words are a parameter.
            if self.rank:
                # bm25 is lower for better matches; negated so higher is better, as ts_rank.
                sql = f"(SELECT -bm25({fts}) FROM {fts} WHERE {fts} MATCH %s AND {fts}.rowid = {pk_sql})"  # noqa: S608
            else:
                sql = f"({pk_sql} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s))"  # noqa: S608
            params = (self.query, *pk_params) if self.rank else (*pk_params, self.query)
            return sql, params
        raise NotImplementedError(f"full-text search is not built for {connection.vendor}")


@dataclass(frozen=True)
class Match:
    """One search's two expressions, for querysets that combine them with more (a handle's
    prefix beside a name's words): ``condition`` filters (``Q(match.condition) | Q(...)``),
    ``rank`` annotates (higher is better; 0 or NULL where the text did not match)."""

    condition: Any
    rank: Any


def match(index: SearchIndex, q: str, *, via: str = "", using: str = "default") -> Match | None:
    """The match of ``q`` against ``index`` on the database ``using``; None when ``q`` has no words."""
    from django.db import connections

    vendor = connections[using].vendor
    query = tsquery(q) if vendor == "postgresql" else fts5_query(q)
    if not query:
        return None
    if vendor not in ("postgresql", "sqlite"):
        # Other engines (not deployed): every word somewhere in the columns, unranked.
        prefix = f"{via}__" if via else ""
        condition = Q()
        for word in words(q):
            anywhere = Q()
            for column in index.columns:
                anywhere |= Q(**{f"{prefix}{column}__icontains": word})
            condition &= anywhere
        return Match(condition, Value(0.0, output_field=FloatField()))
    return Match(_Search(index, query, via=via, rank=False), _Search(index, query, via=via, rank=True))


def matching(queryset: QuerySet[Any], index: SearchIndex, q: str, *, via: str = "") -> QuerySet[Any]:
    """The rows of ``queryset`` whose ``index`` text matches every word of ``q`` (the last as a
    prefix), annotated ``search_rank`` (higher is better) and ordered best first (then newest
    id). ``via`` names a relation from the queryset's model to the indexed one (``"user"``).
    No words, no rows. Call ``clean_query`` first to bound the input."""
    found = match(index, q, via=via, using=queryset.db)
    if found is None:
        return queryset.none()
    pk = f"{via}_id" if via else "pk"
    return queryset.filter(found.condition).annotate(search_rank=found.rank).order_by("-search_rank", f"-{pk}")


# --- Migrations -----------------------------------------------------------------------------


def _sqlite_trigger_sql(index: SearchIndex, quote: Any) -> list[str]:
    # Statements of the app's declared (quoted) table and column names only: no user input.
    table, fts = quote(index.table), quote(index.fts_table)
    cols = ", ".join(quote(column) for column in index.columns)
    new = ", ".join(f"new.{quote(column)}" for column in index.columns)
    old = ", ".join(f"old.{quote(column)}" for column in index.columns)
    insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"  # noqa: S608
    # An external-content table forgets a row by being told its old values.
    forget = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"  # noqa: S608

    def trigger(suffix: str) -> str:
        return quote(f"{index.fts_table}_{suffix}")

    return [
        f"CREATE TRIGGER IF NOT EXISTS {trigger('ai')} AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {trigger('ad')} AFTER DELETE ON {table} BEGIN {forget} END",
        f"CREATE TRIGGER IF NOT EXISTS {trigger('au')} AFTER UPDATE OF {cols} ON {table} BEGIN {forget} {insert} END",
    ]


def create_index(index: SearchIndex, schema_editor: Any) -> None:
    """Create ``index`` on the database of ``schema_editor`` (see the module's docstring) and
    index the rows already there."""
    connection = schema_editor.connection
    quote = schema_editor.quote_name
    if connection.vendor == "postgresql":
        vector = _vector_sql([quote(column) for column in index.columns])
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(index.name)} ON {quote(index.table)} USING gin ({vector})"
        )
    elif connection.vendor == "sqlite":
        cols = ", ".join(quote(column) for column in index.columns)
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {quote(index.fts_table)} USING fts5({cols}, "
            f"content={quote(index.table)}, content_rowid='id', tokenize='{FTS5_TOKENIZE}')"
        )
        for sql in [*_sqlite_trigger_sql(index, quote), _sqlite_rebuild_sql(index, quote)]:
            schema_editor.execute(sql)


def _sqlite_rebuild_sql(index: SearchIndex, quote: Any) -> str:
    fts = quote(index.fts_table)
    return f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"  # noqa: S608


def drop_index(index: SearchIndex, schema_editor: Any) -> None:
    """Undo ``create_index``."""
    connection = schema_editor.connection
    quote = schema_editor.quote_name
    if connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(index.name)}")
    elif connection.vendor == "sqlite":
        for suffix in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {quote(f'{index.fts_table}_{suffix}')}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {quote(index.fts_table)}")


class CreateSearchIndex(migrations.operations.base.Operation):
    """A migration operation creating ``SearchIndex(name, table, columns)`` on the database in
    use (GIN on PostgreSQL, FTS5 and its triggers on SQLite); reversible. It changes no model
    state: the index is the database's, not a field's."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, name: str, table: str, columns: Sequence[str]) -> None:
        self.name, self.table, self.columns = name, table, tuple(columns)

    @property
    def index(self) -> SearchIndex:
        return SearchIndex(self.name, self.table, self.columns)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__name__, [], {"name": self.name, "table": self.table, "columns": list(self.columns)}

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        create_index(self.index, schema_editor)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        drop_index(self.index, schema_editor)

    def describe(self) -> str:
        return f"Create full-text index {self.name} on {self.table} ({', '.join(self.columns)})"

    @property
    def migration_name_fragment(self) -> str:
        return f"search_{self.name}"


# --- Keeping SQLite's triggers --------------------------------------------------------------

_FTS_SQL = re.compile(
    r"USING\s+fts5\((?P<cols>.*?),\s*content=(?P<table>\"?[\w]+\"?),\s*content_rowid='id'", re.IGNORECASE | re.DOTALL
)


def ensure_sqlite_triggers(using: str = "default", **kwargs: Any) -> list[str]:
    """Give back the triggers of every FTS5 index whose table a migration remade (SQLite drops a
    table's triggers with it) and rebuild that index from its table. Returns the FTS tables
    repaired. Nothing on other engines."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_fts' ESCAPE '\\'")
        tables = cursor.fetchall()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {row[0] for row in cursor.fetchall()}
    repaired = []
    for fts_table, sql in tables:
        found = _FTS_SQL.search(sql or "")
        if not found or {f"{fts_table}_{s}" for s in ("ai", "ad", "au")} <= triggers:
            continue
        table = found["table"].strip('"')
        columns = tuple(column.strip().strip('"') for column in found["cols"].split(","))
        if f"{table}_fts" != fts_table:
            continue
        index = SearchIndex(name=fts_table, table=table, columns=columns)
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for statement in [*_sqlite_trigger_sql(index, quote), _sqlite_rebuild_sql(index, quote)]:
                cursor.execute(statement)
        repaired.append(fts_table)
    return repaired
