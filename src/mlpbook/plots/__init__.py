"""Figure builders, with one style module.

* :mod:`.style` -- colours, rounding figure data to what a reader sees, figure metadata (alt text)
* :mod:`.outlines` -- gridded data as vector outlines (class regions, contour lines) that animate cheaply
* :mod:`.training` -- training animations and convergence plots (used by several chapters)
* :mod:`.width_depth`, :mod:`.initialization`, :mod:`.dropout_case` -- one chapter's figures each
"""
