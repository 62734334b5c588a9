"""pytest set-up shared by the unit, drift (nbval) and browser tests."""

from __future__ import annotations

import sys
from pathlib import Path

# Before nbval starts any kernel: no progress bars (their timing text would
# differ from the reference), and helpers importable as plain modules.
from mlpbook.repro import set_kernel_environment  # noqa: E402

set_kernel_environment()
sys.path.insert(0, str(Path(__file__).resolve().parent))
