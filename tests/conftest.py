"""pytest set-up shared by the unit, drift (nbval) and browser tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Before nbval starts any kernel: no progress bars (their timing text would
# differ from the reference), and helpers importable as plain modules.
os.environ["MLPBOOK_NO_PROGRESS"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parent))
