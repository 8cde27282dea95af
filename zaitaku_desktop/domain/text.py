"""Japanese text normalisation for search, sorting and validation.

The original text is always kept for display; these helpers build keys from it.
"""

from __future__ import annotations

import re
import unicodedata

import jaconv

# Characters people type where they mean a hyphen or a long-vowel-ish dash.
_DASHES = "-‐‑‒–—―−ー－ｰ₋⁻﹣"
_DASH_RE = re.compile("[" + re.escape(_DASHES) + "]")
_SPACE_RE = re.compile(r"\s+")
_NON_DIGIT_RE = re.compile(r"\D")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def search_key(text: str | None) -> str:
    """Fold a text so that what a user types finds it.

    NFKC (full/half width), katakana → hiragana, lower case, and no white space.
    """
    if not text:
        return ""
    folded = jaconv.kata2hira(nfkc(text)).lower()
    # Removing spaces can bring a combining mark next to a letter ('R¸' → 'r' + U+0327):
    # normalise again so the key is stable when folded twice.
    return nfkc(_SPACE_RE.sub("", folded))


def digits_only(text: str | None) -> str:
    if not text:
        return ""
    return _NON_DIGIT_RE.sub("", nfkc(text))


def normalise_query(query: str) -> tuple[str, str]:
    """Return (text key, digit key) for a search box query.

    The digit key is set when the query looks like a phone number (digits with
    hyphens, brackets or spaces), so that "0193-22" finds "0193221234".
    """
    key = search_key(query)
    plain = nfkc(query).strip()
    digits = ""
    if plain and re.fullmatch(r"[\d\s()（）" + re.escape(_DASHES) + "]+", plain):
        digits = digits_only(plain)
    return key, digits


# --- 五十音 sort keys -------------------------------------------------------

_SMALL_TO_LARGE = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")
_VOWEL_OF: dict[str, str] = {}
for _vowel, _row in {
    "あ": "あかさたなはまやらわがざだばぱゃぁ",
    "い": "いきしちにひみりぎじぢびぴぃ",
    "う": "うくすつぬふむゆるぐずづぶぷゅぅゔ",
    "え": "えけせてねへめれげぜでべぺぇ",
    "お": "おこそとのほもよろをごぞどぼぽょぉ",
}.items():
    for _ch in _row:
        _VOWEL_OF[_ch] = _vowel


def reading_sort_key(reading: str | None, fallback: str = "") -> tuple[str, str]:
    """Key for 五十音 order: voiced marks and small kana fold at the first level.

    Readings may be typed in katakana or half-width; both sort like hiragana.
    Records without a reading sort after those that have one, by their name.
    """
    source = reading or ""
    if not source.strip():
        return ("\uffff" + search_key(fallback), search_key(fallback))
    full = search_key(source)
    decomposed = unicodedata.normalize("NFD", full)
    base = "".join(c for c in decomposed if c not in "\u3099\u309a")
    base = unicodedata.normalize("NFC", base).translate(_SMALL_TO_LARGE)
    out: list[str] = []
    for ch in base:
        if ch == "ー" and out:
            out.append(_VOWEL_OF.get(out[-1], out[-1]))
        else:
            out.append(ch)
    return ("".join(out), full)


_HIRAGANA_READING_RE = re.compile(r"^[\u3041-\u3096\u309b-\u309f\u30fc\s　・]+$")


def is_kana_reading(text: str) -> bool:
    """True when the text (after folding katakana and width) is kana only."""
    folded = jaconv.kata2hira(nfkc(text))
    return bool(_HIRAGANA_READING_RE.match(folded))


def dash_to_hyphen(text: str) -> str:
    return _DASH_RE.sub("-", text)
