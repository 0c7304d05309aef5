"""Words by writing system: where a run of Han, kana or Hangul breaks into words, and how each script's
words are folded and stemmed for the index (the same for the text and the query).

Japanese, Chinese and Korean runs are indexed as Lucene's CJK analyzer does with unigrams kept: each
pair of neighbouring characters, and each character (see ``cjk_grams`` for their positions). A query
word of two characters or more is the phrase of its pairs, so "平和条約" finds "…平和条約は…" inside any run,
and a one-character query finds the character. Cyrillic words are folded (``ё`` = ``е``) and stemmed
by Snowball's Russian stemmer (PyStemmer); Arabic-script words have their letter variants folded.
Every other word (Latin, Greek, …) keeps the English analysis of ``indexer.schema``; in a document of
a language Snowball knows (SNOWBALL: French, German, Spanish…), its word's stem in that language is
indexed at the same position too, and a query word is also looked for by its stem in each such
language the archive holds. So too a Ukrainian document's Cyrillic words, with their dictionary forms
(LEMMATISED).
"""
from __future__ import annotations

import re
import unicodedata

import Stemmer

CJK_CHARS = ("\u1100-\u11ff\u3005-\u3007\u3021-\u3029\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff"
             "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f")
CJK_RUN = re.compile(f"[{CJK_CHARS}]+")
# combining marks (category M: Arabic vowel signs, Devanagari matras, a decomposed accent) belong to
# their word, though Python's \w leaves them out and so cut "إِسْلَام" or "हिन्दी" into pieces
MARKS = "".join(re.escape(chr(c)) for c in range(0x300, 0x10000) if unicodedata.category(chr(c)).startswith("M"))
WORD = re.compile(f"[\\w\\*{MARKS}]+(?:\\.?[\\w\\*{MARKS}]+)*")  # Whoosh's RegexTokenizer's, with the marks
CYRILLIC = re.compile("[\u0400-\u052f]")
ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# Arabic and Persian letters written in several ways (as Lucene's Arabic and Persian normalisation)
ARABIC_FOLDS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ئ": "ي", "ة": "ه",
                              "ۀ": "ه", "ک": "ك", "ؤ": "و", "ـ": None, "\u200c": None,
                              **{chr(c): None for c in range(0x064B, 0x0660)}, "\u0670": None})


def script_of(word: str) -> str:
    """The writing system a word is analysed by: "cjk", "cyrillic", "arabic" or "other".

    >>> [script_of(w) for w in ("treaty", "Pérouse", "平和", "остров", "السلام")]
    ['other', 'other', 'cjk', 'cyrillic', 'arabic']
    """
    if word.isascii():
        return "other"
    if CJK_RUN.match(word):
        return "cjk"
    if CYRILLIC.match(word):
        return "cyrillic"
    return "arabic" if ARABIC.match(word) else "other"


def script_runs(word: str) -> list[tuple[int, str]]:
    """A word split where it passes in or out of a CJK run: (offset, piece) of each piece.

    >>> script_runs("Debianパッケージ2")
    [(0, 'Debian'), (6, 'パッケージ'), (11, '2')]
    """
    if word.isascii() or not CJK_RUN.search(word):
        return [(0, word)]
    pieces, at = [], 0
    for run in CJK_RUN.finditer(word):
        if run.start() > at:
            pieces.append((at, word[at:run.start()]))
        pieces.append((run.start(), run.group()))
        at = run.end()
    if at < len(word):
        pieces.append((at, word[at:]))
    return pieces


def word_count(text: str) -> int:
    """Words of a text: runs between spaces, and in a CJK run, one per two characters (about the length
    of a Japanese or Chinese word), so that a paragraph without spaces is not taken for one word.

    >>> word_count("Peace treaty talks"), word_count("北方領土問題は両国関係の中心にある"), word_count("Debian のパッケージ")
    (3, 9, 4)
    """
    if text.isascii() or not CJK_RUN.search(text):
        return len(text.split())
    return sum(len(piece.split()) for piece in CJK_RUN.split(text)) + sum(
        (len(run) + 1) // 2 for run in CJK_RUN.findall(text))


def uncased_letter(char: str) -> bool:
    """A letter of a script without capitals (Han, kana, Hangul, Arabic, Hebrew…), which may open a heading.

    >>> uncased_letter("漁"), uncased_letter("a"), uncased_letter("A"), uncased_letter("(")
    (True, False, False, False)
    """
    return char.isalpha() and char.lower() == char.upper()


def cjk_grams(run: str, query: bool = False) -> list[tuple[int, int, int]]:
    """The (start, end, position step) of the characters and pairs a CJK run is indexed as.

    Each pair takes a position, and each character shares that of the pair it opens (the last
    character, that of the last pair): a query's run of two or more characters is its pairs only,
    so a phrase of them, and the words after them, stand at consecutive positions in both.

    >>> cjk_grams("北方領")
    [(0, 2, 1), (0, 1, 0), (1, 3, 1), (1, 2, 0), (2, 3, 0)]
    >>> cjk_grams("北方領", query=True)
    [(0, 2, 1), (1, 3, 1)]
    >>> cjk_grams("島", query=True)
    [(0, 1, 1)]
    """
    if len(run) == 1:
        return [(0, 1, 1)]
    grams = []
    for i in range(len(run) - 1):
        grams.append((i, i + 2, 1))
        if not query:
            grams.append((i, i + 1, 0))
    return grams if query else [*grams, (len(run) - 1, len(run), 0)]


def dotted_parts(word: str) -> list[tuple[int, str]]:
    """The parts of a word joined by dots ("orig.tar.gz", "pam_unix.so"), each findable alone; none for
    a number ("3.14") or a word without dots.

    >>> dotted_parts("pam_unix.so"), dotted_parts("3.14"), dotted_parts("treaty")
    ([(0, 'pam_unix'), (9, 'so')], [], [])
    """
    if "." not in word or not any(c.isalpha() for c in word):
        return []
    parts, at = [], 0
    for part in word.split("."):
        parts.append((at, part))
        at += len(part) + 1
    return parts


def folded_cyrillic(word: str) -> str:
    """A Cyrillic word in lower case with ``ё`` written ``е``, as Russian readers type it.

    >>> folded_cyrillic("Остаётся")
    'остается'
    """
    return word.lower().replace("ё", "е")


def folded_arabic(word: str) -> str:
    """An Arabic-script word with its letter variants, diacritics and tatweel folded.

    >>> folded_arabic("إِسْلَام") == folded_arabic("اسلام")
    True
    >>> folded_arabic("کتابی") == folded_arabic("كتابي")
    True
    """
    return word.translate(ARABIC_FOLDS)


# Snowball stemmers (PyStemmer) for the languages written in the Latin script, by ISO 639-1 code;
# English is stemmed in indexer.schema, and Cyrillic words are stemmed as Russian
SNOWBALL = {"fr": "french", "de": "german", "es": "spanish", "it": "italian", "pt": "portuguese", "nl": "dutch",
            "sv": "swedish", "da": "danish", "no": "norwegian", "nb": "norwegian", "nn": "norwegian",
            "fi": "finnish", "ro": "romanian", "hu": "hungarian", "tr": "turkish", "ca": "catalan",
            "pl": "polish", "cs": "czech", "lt": "lithuanian", "et": "estonian", "id": "indonesian", "ga": "irish",
            "eu": "basque"}
# languages whose Cyrillic words also get their dictionary forms, by pymorphy3's dictionaries: Snowball has no
# Ukrainian stemmer, and the Russian one leaves a Ukrainian word's forms apart ("острів", "островів")
LEMMATISED = frozenset({"uk"})
LANGUAGE_MARK = "\x00"  # opens and closes the language code put before a text value the index analyses


def stemmed_language(language: str) -> str:
    """The code of a language whose words get stems of their own: Snowball's for the Latin-script
    languages of SNOWBALL, dictionary forms for those of LEMMATISED ('' for English, for no language,
    and for a language neither knows).

    >>> stemmed_language("fr-CA"), stemmed_language("en"), stemmed_language("ja"), stemmed_language("uk")
    ('fr', '', '', 'uk')
    """
    code = language.split("-")[0].split("_")[0].lower()
    return code if code in SNOWBALL or code in LEMMATISED else ""


def own_script(language: str) -> str:
    """The script (as ``script_of`` names it) of the words that get a language's own stems.

    >>> own_script("fr"), own_script("uk")
    ('other', 'cyrillic')
    """
    return "cyrillic" if language in LEMMATISED else "other"


def language_marked(text: str, language: str) -> str:
    """A text value for the index, opened by its document's language when that has its own stems.

    >>> language_marked("Les traités", "fr"), language_marked("The treaties", "en")
    ('\\x00fr\\x00Les traités', 'The treaties')
    """
    code = stemmed_language(language)
    return f"{LANGUAGE_MARK}{code}{LANGUAGE_MARK}{text}" if code and text else text


def split_language(value: str) -> tuple[str, str]:
    """A value's language code and its text (see language_marked).

    >>> split_language("\\x00de\\x00Die Verträge"), split_language("Treaties")
    (('de', 'Die Verträge'), ('', 'Treaties'))
    """
    if not value.startswith(LANGUAGE_MARK):
        return "", value
    end = value.find(LANGUAGE_MARK, 1)
    code = value[1:end] if end > 0 else ""
    return (code, value[end + 1:]) if stemmed_language(code) == code != "" else ("", value)  # a text's own NULs


class SnowballStems:
    """Snowball's stems (PyStemmer: Snowball's own C code) of lower-case words, by algorithm ("russian",
    "french", …), remembered."""

    CACHE_SIZE = 100_000

    def __init__(self):
        self._stemmers: dict[str, Stemmer.Stemmer] = {}
        self._stems: dict[tuple[str, str], str] = {}

    def __call__(self, word: str, algorithm: str) -> str:
        found = self._stems.get((word, algorithm))
        if found is None:
            if len(self._stems) >= self.CACHE_SIZE:
                self._stems.clear()
            stemmer = self._stemmers.get(algorithm) or self._stemmers.setdefault(algorithm, Stemmer.Stemmer(algorithm))
            try:
                found = stemmer.stemWord(word)
            except UnicodeEncodeError:  # a lone surrogate: Snowball's C code reads UTF-8 only
                found = word
            self._stems[(word, algorithm)] = found
        return found


class DictionaryForms:
    """A word's dictionary forms (lemmas) in a language of LEMMATISED, each that pymorphy3 finds for it
    ("островів": острів, or the plural острови), remembered; its dictionary is loaded when first needed."""

    CACHE_SIZE = 100_000

    def __init__(self):
        self._analyzers: dict = {}
        self._forms: dict[tuple[str, str], tuple[str, ...]] = {}

    def __call__(self, word: str, language: str) -> tuple[str, ...]:
        found = self._forms.get((word, language))
        if found is None:
            if len(self._forms) >= self.CACHE_SIZE:
                self._forms.clear()
            found = tuple(sorted({folded_cyrillic(p.normal_form) for p in self._analyzer(language).parse(word)}))
            self._forms[(word, language)] = found
        return found

    def _analyzer(self, language: str):
        """pymorphy3's analyzer of a language (imported here: processes that meet no such word are spared it)."""
        if language not in self._analyzers:
            import pymorphy3

            self._analyzers[language] = pymorphy3.MorphAnalyzer(lang=language)
        return self._analyzers[language]
