"""mlpbook: the code behind the executed book on multilayer perceptrons.

Modules, each named for the one thing it knows:

* :mod:`mlpbook.data` -- the book's tasks (rotation, clusters, x², diagonal flip, ...)
* :mod:`mlpbook.activations` -- activation functions by name
* :mod:`mlpbook.initializers` -- weight initializers by name
* :mod:`mlpbook.models` -- ``make_mlp`` and parameter counts
* :mod:`mlpbook.train` -- the training loop and its ``History``
* :mod:`mlpbook.batched` -- many seeds in one vectorized run (``train_seeds``)
* :mod:`mlpbook.fastpath` -- hand-written MLP gradients and fused Adam for small models
* :mod:`mlpbook.scratch` -- the from-scratch NumPy MLP with a hand-written backward pass
* :mod:`mlpbook.diagnostics` -- activation patterns and local linear maps of ReLU networks
* :mod:`mlpbook.regions` -- counting linear regions, and their theoretical bounds
* :mod:`mlpbook.layerstats` -- dead units, per-layer gradient norms and activation statistics
* :mod:`mlpbook.signal` -- signal propagation through deep networks at initialization
* :mod:`mlpbook.residual` -- residual MLPs with BatchNorm / LayerNorm variants
* :mod:`mlpbook.batchnorm` -- BatchNorm from scratch, forward and backward
* :mod:`mlpbook.casestudy` -- the shared per-element network of the dropout case study
* :mod:`mlpbook.figures` -- plotly animations and matplotlib figures
* :mod:`mlpbook.explorer` -- the width/depth explorer and architecture view
* :mod:`mlpbook.tables` -- generated Markdown tables and "mean ± spread" cells
* :mod:`mlpbook.repro` -- seeds, thread count, quiet progress bars
* :mod:`mlpbook.sphinxext` -- the book build's Sphinx / myst-nb integration
"""

from .batched import train_seeds
from .activations import ACTIVATIONS, activation_names, get_activation
from .data import Dataset, quadratic_2d, rotation_data, rotation_matrix, square_curve, three_clusters
from .initializers import INITIALIZERS, initialize, initializer_names
from .models import count_parameters, make_mlp, mlp_parameter_count
from .repro import DEFAULT_SEED, make_generator, progress, seed_everything
from .train import History, TrainingDiverged, frame_epochs, train

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS", "activation_names", "get_activation",
    "Dataset", "quadratic_2d", "rotation_data", "rotation_matrix", "square_curve", "three_clusters",
    "INITIALIZERS", "initialize", "initializer_names",
    "count_parameters", "make_mlp", "mlp_parameter_count",
    "DEFAULT_SEED", "make_generator", "progress", "seed_everything",
    "History", "TrainingDiverged", "frame_epochs", "train", "train_seeds",
]
