"""Each chapter's own tools, one module per chapter.

The core library (``mlpbook.data``, ``models``, ``training``, ...) is what every
chapter uses; a module here serves one chapter and builds on the core:

* :mod:`.backprop` -- the from-scratch NumPy MLP with a hand-written backward pass
* :mod:`.training_dynamics` -- loss surfaces, optimizer paths, stacked learning-rate sweeps
* :mod:`.softmax` -- softmax and the fused cross-entropy for the from-scratch model
* :mod:`.generalization` -- batched classifier training (weight decay, dropout, early
  stopping), confusion matrices, seed-by-seed comparisons
* :mod:`.width_depth` -- counting linear regions, their bounds, the explorer's runs
* :mod:`.activation_functions` -- dead units, per-layer gradient norms, activation statistics
* :mod:`.initialization` -- signal propagation through deep networks at initialization
* :mod:`.residuals`, :mod:`.batchnorm` -- residual MLPs with normalization; BatchNorm from scratch
* :mod:`.dropout_case` -- the per-element network of the dropout case study

A new chapter's tools go in a new module here; its figures in :mod:`mlpbook.plots`.
"""
