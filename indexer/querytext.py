"""Query text as people type or paste it, rewritten into the query language before it is parsed.

Each rule is a small ``str -> str`` step; ``as_typed`` runs them in order. Quoted phrases are left as
they are by the rules that work on words.

The wildcard rule: ``*`` inside or at the end of a word is always a wildcard; ``?`` is a wildcard only
inside a word (``wom?n``). A ``?``, ``!``, ``.``, ``,`` or ``;`` ending a word is punctuation.
"""
from __future__ import annotations

import re

OPENING_QUOTES = "“”„‟«»‹›〝〞〟＂「」『』"
APOSTROPHES = "‘’‚‛′＇"
QUOTE_MAP = str.maketrans({**{c: '"' for c in OPENING_QUOTES}, **{c: "'" for c in APOSTROPHES}})
# a word joined to another by a hyphen, a slash or a dash: Russo-Japanese, TCP/IP, Japan–Russia
JOINER = "-‐‑‒–—/"
JOINED = re.compile(rf"(?<![\w*?{JOINER}])(?P<field>\w+:)?(?P<word>[\w*?]+(?:[{JOINER}][\w*?]+)+)")
SENTENCE_MARKS = "?!.,;？！。、，…"
TRAILING_PUNCTUATION = re.compile(rf"(?<=[\w*)\]])[{SENTENCE_MARKS}]+(?=[\s)\]]|$)")
LEADING_PUNCTUATION = re.compile(r"(?<![^\s(])[¿¡?]+")
LONE_PUNCTUATION = re.compile(rf"(?<!\S)[{SENTENCE_MARKS}]+(?!\S)")
WILDCARD = re.compile(r"[*?]")
MAX_NESTING = 16  # parentheses inside parentheses, at most (the parser recurses on each)
LONE_SIGN = re.compile(r"(?<=\S)\++|(?<!\S)[+-]+(?=\s|$|\))")


def straight_quotes(text: str) -> str:
    """Curly, angle and CJK quotation marks as the query language's ``"``; curly apostrophes as ``'``.

    >>> straight_quotes("“peace treaty” «мирный договор» Japan’s")
    '"peace treaty" "мирный договор" Japan\\'s'
    """
    return text.translate(QUOTE_MAP)


def balanced_quotes(text: str) -> str:
    """A quote left open is closed at the end of the query.

    >>> balanced_quotes('"peace treaty'), balanced_quotes('"a" b')
    ('"peace treaty"', '"a" b')
    """
    return text + '"' if text.count('"') % 2 else text


def balanced_parentheses(text: str) -> str:
    """A ``)`` with no ``(`` before it is dropped, a ``(`` left open is closed at the end, and groups
    nested deeper than MAX_NESTING lose their parentheses.

    >>> balanced_parentheses("(a OR b"), balanced_parentheses("a) b (c)"), balanced_parentheses("(" * 20 + "a")
    ('(a OR b)', 'a b (c)', '((((((((((((((((a))))))))))))))))')
    """
    out, depth = [], 0
    for piece in _pieces(text):
        if piece.startswith('"'):
            out.append(piece)
            continue
        for char in piece:
            if char == ")" and depth == 0:
                continue
            depth += (char == "(") - (char == ")")
            if char not in "()" or (depth <= MAX_NESTING if char == "(" else depth < MAX_NESTING):
                out.append(char)
    return "".join(out) + ")" * min(depth, MAX_NESTING)


def sentence_punctuation(text: str) -> str:
    """A ``?``, ``!``, ``.``, ``,`` or ``;`` ending a word, and ``?``, ``¿`` or ``¡`` opening one, are punctuation.

    >>> sentence_punctuation("Why This Book? wom?n relations*? U.S. end. (?slip?)")
    'Why This Book wom?n relations* U.S end (slip)'
    >>> sentence_punctuation('"a phrase?" ? title:"x y"')
    '"a phrase?"  title:"x y"'
    """
    return "".join(piece if piece.startswith('"') else
                   LONE_PUNCTUATION.sub("", LEADING_PUNCTUATION.sub("", TRAILING_PUNCTUATION.sub("", piece)))
                   for piece in _pieces(text))


def lone_signs(text: str) -> str:
    """A ``+`` or ``-`` that does not open a word (``x + c``, ``C++``) is not an operator.

    >>> lone_signs("log(x + c) + b - a C++ -sanctions +treaty")
    'log(x c) b a C -sanctions +treaty'
    """
    return "".join(piece if piece.startswith('"') else re.sub(" {2,}", " ", LONE_SIGN.sub("", piece))
                   for piece in _pieces(text))


def plain_words(text: str) -> str:
    """Only the words of a query, for when its syntax cannot be read at all.

    >>> plain_words('title:(a OR "b c" ^2')
    'title a OR b c 2'
    """
    return " ".join(re.findall(r"\w+", text))


def joined_words(text: str) -> str:
    """A hyphenated or slashed word is searched as a phrase of its parts, or as one word without the joins.

    So ``Russo-Japanese`` finds "Russo-Japanese" and "Russo Japanese" (never "Russo NOT Japanese"), and
    ``e-mail`` also finds "email". With a wildcard the parts are simply all required.

    >>> joined_words("Russo-Japanese talks title:TCP/IP -sanctions")
    '("Russo Japanese" OR RussoJapanese) talks title:("TCP IP" OR TCPIP) -sanctions'
    >>> joined_words('Russo-Jap* "Japan-Russia" (large-deflection)')
    '(Russo Jap*) "Japan-Russia" (("large deflection" OR largedeflection))'
    """
    return "".join(piece if piece.startswith('"') else JOINED.sub(_joined, piece) for piece in _pieces(text))


def _joined(found: re.Match) -> str:
    """One joined word of the query rewritten (see joined_words)."""
    field, parts = found.group("field") or "", [p for p in re.split(f"[{JOINER}]", found.group("word")) if p]
    if WILDCARD.search(found.group("word")):
        return f"{field}({' '.join(parts)})"
    return f'{field}("{" ".join(parts)}" OR {"".join(parts)})'


def _pieces(text: str) -> list[str]:
    """The text cut into quoted phrases (kept with their quotes) and what lies between them.

    >>> _pieces('a "b c" d')
    ['a ', '"b c"', ' d']
    """
    return [p for p in re.split(r'("[^"]*")', text) if p]


def as_typed(text: str) -> str:
    """The query language's reading of a query as a person types or pastes it (each rule above, in turn).

    >>> as_typed("What will it take to normalize Japanese-Russian relations?")
    'What will it take to normalize ("Japanese Russian" OR JapaneseRussian) relations'
    >>> as_typed("„peace treaty“ (Kurils")
    '"peace treaty" (Kurils)'
    """
    text = " ".join(balanced_quotes(straight_quotes(text)).split())
    return joined_words(lone_signs(sentence_punctuation(balanced_parentheses(text))))
