"""SPARQL 1.1 text split into the tokens of its grammar (the terminals of the specification's
section 19.8), so that keywords are told apart from names, strings, IRIs and comments.

Whether a query calls SERVICE, and which form it has, are questions about its keyword
tokens: SPARQL's keywords are reserved, so ``SERVICE`` as a keyword token occurs only in a
ServiceGraphPattern. Tokenising by the grammar's own terminals answers them exactly where a
scan of the text does not: a local name may hold escaped characters (``ex:a\\#`` is a
name, not a name and a comment), ``?service`` is a variable and ``service:x`` a prefixed name.
Text that matches no terminal makes :func:`tokens` raise :class:`LexError`; callers that
guard something must then refuse.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# the terminals of SPARQL 1.1 (https://www.w3.org/TR/sparql11-query/#terminals)
_PN_CHARS_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
                  "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_ECHAR = r"\\[tbnrf\\\"']"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"

_TOKEN = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in (
    ("space", r"[ \t\r\n]+"),
    ("comment", r"#[^\r\n]*"),
    ("iri", r"<(?:[^<>\"{}|^`\\\x00-\x20]|" + _UCHAR + r")*>"),
    ("string", "'''(?:(?:'|'')?(?:[^'\\\\]|" + _ECHAR + "|" + _UCHAR + "))*'''"
               '|"""(?:(?:"|"")?(?:[^"\\\\]|' + _ECHAR + "|" + _UCHAR + '))*"""'
               "|'(?:[^'\\\\\\n\\r]|" + _ECHAR + "|" + _UCHAR + ")*'"
               '|"(?:[^"\\\\\\n\\r]|' + _ECHAR + "|" + _UCHAR + ')*"'),
    ("var", f"[?$]{_VARNAME}"),
    ("blank", f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"),
    ("pname", f"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"),
    ("langtag", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
    ("number", r"[+-]?(?:[0-9]+\.?[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+)"),
    ("keyword", r"[A-Za-z_][A-Za-z0-9_]*"),
    ("punct", r"\^\^|&&|\|\||!=|<=|>=|[{}()\[\].,;*/+\-=<>!|^?$]"),
)))


class LexError(ValueError):
    """Query text that matches none of SPARQL's terminals."""


@dataclass(frozen=True)
class Token:
    kind: str  # one of the group names above, without space and comment
    text: str
    start: int


def tokens(query: str) -> Iterator[Token]:
    """The tokens of a SPARQL query or update, without white space and comments.

    >>> [t.text for t in tokens('SELECT ?service { ?s ex:a\\\\# "#" } # SERVICE')]
    ['SELECT', '?service', '{', '?s', 'ex:a\\\\#', '"#"', '}']
    """
    position, end = 0, len(query)
    while position < end:
        match = _TOKEN.match(query, position)
        if match is None or match.end() == position:
            raise LexError(f"unexpected {query[position:position + 12]!r} at character {position}")
        kind = match.lastgroup or "punct"
        if kind not in ("space", "comment"):
            yield Token(kind, match.group(), position)
        position = match.end()


def keywords(query: str) -> list[str]:
    """The query's keywords, upper-cased, in order (names, strings, IRIs and comments left out).

    >>> keywords('PREFIX s: <http://x/SELECT#> ASK { ?s s:SERVICE "SERVICE" }')
    ['PREFIX', 'ASK']
    """
    return [t.text.upper() for t in tokens(query) if t.kind == "keyword"]


def calls_service(query: str) -> bool:
    """Whether a query may call another endpoint: SERVICE as a keyword, or text no terminal
    matches that mentions it (refused rather than guessed at).

    >>> calls_service('SELECT * { ?s ex:a\\\\# ?o . SERVICE <http://x/sparql> { ?a ?b ?c } }')
    True
    >>> calls_service('SELECT ?service { ?s <http://x/SERVICE> "SERVICE" } # SERVICE')
    False
    """
    try:
        return "SERVICE" in keywords(query)
    except LexError:
        return "service" in query.lower()


#: The first keywords of SPARQL Update operations (after the prologue).
UPDATE_FORMS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})


def is_update(query: str) -> bool:
    """Whether the text is a SPARQL Update (its first keyword after PREFIX and BASE declarations).

    >>> is_update('PREFIX ex: <http://e/> DROP ALL'), is_update('SELECT * { ?s ?p ?o }')
    (True, False)
    """
    try:
        return next((k for k in keywords(query) if k not in ("PREFIX", "BASE")), "") in UPDATE_FORMS
    except LexError:
        return False  # the engine reports the syntax error
