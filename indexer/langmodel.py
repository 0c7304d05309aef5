"""py3langid's language model, loaded when this module is imported: by the parse workers' fork server
once, and otherwise by the first detection in a process, never by a command that does not parse.

The model ships LZMA-packed (4.6 MB); unpacking it took 0.4 of the 0.5 s a load took. The unpacked
model (68 MB) is kept in the user's cache folder (``$XDG_CACHE_HOME/archive``, else
``~/.cache/archive``) and read from there from then on, in 0.1 s. Where that folder cannot be
written, the packed model is read as before.
"""
from __future__ import annotations

import lzma
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

# one BLAS thread is all a detection's products need; each further one reserved 40 MB of address
# space in every parse worker, counted against its memory limit (RLIMIT_AS)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402 (after the BLAS setting)
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier  # noqa: E402
from py3langid.modelio import _to_array  # noqa: E402


def packed_model() -> Path:
    """The LZMA-packed model py3langid ships."""
    path = Path(MODEL_FILE)
    return path if path.is_absolute() else MODEL_DIR / path


def unpacked_model(packed: Path, cache: Path) -> Path | None:
    """The model unpacked into ``cache`` (once; named by the packed file's size and time), or None
    where it cannot be written there."""
    stat = packed.stat()
    target = cache / f"py3langid-{stat.st_size}-{int(stat.st_mtime)}.npz"
    if target.exists():
        return target
    part = None
    try:
        cache.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=cache, suffix=".part")
        part = Path(name)
        with os.fdopen(handle, "wb") as out, lzma.open(packed) as src:
            shutil.copyfileobj(src, out, length=1 << 20)
        os.replace(part, target)  # whole or not at all: two ingests may unpack at once
    except OSError:
        if part is not None:
            part.unlink(missing_ok=True)
        return None
    return target


def identifier(cache: Path) -> LanguageIdentifier:
    """The identifier, from the unpacked model where it can be kept, else from the packed one."""
    unpacked = unpacked_model(packed_model(), cache)
    try:
        if unpacked is not None:
            with unpacked.open("rb") as handle, np.load(handle, allow_pickle=False) as data:  # py3langid's layout
                return LanguageIdentifier(
                    data["ptc"], data["pc"], data["classes"].tolist(), _to_array(data["nextmove"]),
                    data["out_feat"].tolist(), norm_probs=True, tk_row=_to_array(data["nextmove_row"]))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):  # a damaged copy: unpacked anew next time
        unpacked.unlink(missing_ok=True)
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def cache_folder() -> Path:
    """Where the unpacked model is kept: $XDG_CACHE_HOME/archive, else ~/.cache/archive."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "archive"


IDENTIFIER = identifier(cache_folder())
