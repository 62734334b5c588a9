"""mlpbook: the code behind the executed book on multilayer perceptrons.

The package has three parts, so a reader sees at once what to learn from.

**The core library**, small and used by every chapter:

* :mod:`mlpbook.data` -- the book's tasks (rotation, clusters, x², diagonal flip, ...)
* :mod:`mlpbook.classification_data` -- labelled data: the digits split into training,
  validation and test sets, two moons, label checks
* :mod:`mlpbook.activations` -- activation functions by name
* :mod:`mlpbook.initializers` -- weight initializers by name
* :mod:`mlpbook.models` -- ``make_mlp`` and parameter counts
* :mod:`mlpbook.training` -- the training loop ``train`` and its ``History``
* :mod:`mlpbook.optimizers` -- gradient descent, momentum, RMSprop, Adam, AdamW from scratch
* :mod:`mlpbook.seeds` -- many seeds in one vectorized run (``train_seeds``)
* :mod:`mlpbook.diagnostics` -- activation patterns and local linear maps of ReLU networks
* :mod:`mlpbook.tables` -- generated Markdown tables, measured values rounded to their spread
* :mod:`mlpbook.repro` -- seeds, float64, thread count, quiet progress bars
* ``mlpbook._engine`` -- hand-written MLP gradients and fused Adam, the fast path behind
  ``train`` and ``train_seeds`` (private: the chapters teach the plain loop)

**Each chapter's own tools**, in :mod:`mlpbook.chapters` (one module per chapter),
and **the figures**, in :mod:`mlpbook.plots` (one style module and the builders).

**The book's machinery**, in :mod:`mlpbook.book`: ``glue`` for numbers in the prose,
checked claims, shown source, the kernel environment and the Sphinx extension.
"""

from .activations import ACTIVATIONS, activation_names, get_activation
from .data import (
    Dataset,
    quadratic_2d,
    rotation_data,
    rotation_matrix,
    square_curve,
    three_clusters,
)
from .initializers import INITIALIZERS, initialize, initializer_names
from .models import count_parameters, make_mlp, mlp_parameter_count, seeded_mlp
from .repro import DEFAULT_SEED, make_generator, progress, seed_everything
from .seeds import SeedRuns, train_seeds
from .training import History, TrainingDiverged, frame_epochs, train

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "activation_names",
    "get_activation",
    "Dataset",
    "quadratic_2d",
    "rotation_data",
    "rotation_matrix",
    "square_curve",
    "three_clusters",
    "INITIALIZERS",
    "initialize",
    "initializer_names",
    "count_parameters",
    "make_mlp",
    "mlp_parameter_count",
    "DEFAULT_SEED",
    "make_generator",
    "progress",
    "seed_everything",
    "History",
    "TrainingDiverged",
    "frame_epochs",
    "train",
    "train_seeds",
    "SeedRuns",
    "seeded_mlp",
]
