"""A document's language: declared (flag, sidecar, front matter, ``<html lang>``, package metadata), or
detected from its text by py3langid (langid.py's model: 97 languages, among them ja, zh, ko, ru, uk,
ar, fa, he and the European languages).
"""
from __future__ import annotations

import re

MIN_LETTERS = 20  # fewer letters than this say too little to tell a language
MIN_CONFIDENCE = 0.80  # py3langid's normalised probability
LETTERS = re.compile(r"[^\W\d_]")


def detect_language(text: str, sample: int = 3000) -> str:
    """An ISO 639-1 code, or '' when the text is too short or unclear.

    >>> detect_language("The report is about the history of the islands and the treaty that was signed.")
    'en'
    >>> detect_language("Le rapport est une analyse des relations entre la France et le Japon dans la région.")
    'fr'
    >>> detect_language("北方領土問題は両国関係の中心にあり、平和条約はまだ締結されていない。")
    'ja'
    >>> detect_language("Harbour works"), detect_language("1234 5678 " * 10)
    ('', '')
    """
    excerpt = text[:sample]
    if len(LETTERS.findall(excerpt[:2000])) < MIN_LETTERS:
        return ""
    from indexer.langmodel import IDENTIFIER

    language, confidence = IDENTIFIER.classify(excerpt)
    return language if confidence >= MIN_CONFIDENCE and len(language) == 2 else ""
