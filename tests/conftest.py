"""pytest set-up shared by the unit (``unit/``), drift (``drift/``, nbval) and browser (``site/``) tests."""

from __future__ import annotations

import sys
from pathlib import Path

# Before nbval starts any kernel: no progress bars (their timing text would
# differ from the reference), float64 and one thread unless a portability run
# set otherwise; the helpers of drift/ and site/ importable as plain modules.
from mlpbook.book.kernel import set_drift_kernel_environment  # noqa: E402

set_drift_kernel_environment()

# The unit tests run in the book's dtype, as the chapters do after
# mlpbook.seed_everything (which a test may call at any point).
import torch  # noqa: E402

from mlpbook.repro import DEFAULT_DTYPE  # noqa: E402

torch.set_default_dtype(DEFAULT_DTYPE)
HERE = Path(__file__).resolve().parent
for folder in ("drift", "site"):
    sys.path.insert(0, str(HERE / folder))
