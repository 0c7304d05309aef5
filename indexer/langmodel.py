"""py3langid's language model, loaded when this module is imported (0.8 s): by the parse workers' fork
server once, and otherwise by the first detection in a process, never by a command that does not parse.
"""
from __future__ import annotations

import os

# one BLAS thread is all a detection's products need; each further one reserved 40 MB of address
# space in every parse worker, counted against its memory limit (RLIMIT_AS)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from py3langid.langid import MODEL_FILE, LanguageIdentifier  # noqa: E402 (after the BLAS setting)

IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
