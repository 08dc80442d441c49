"""The float side of exactscape.

This package (with :mod:`exactscape.experiments`) is the only place that imports
NumPy or SciPy or makes a float: everywhere else the numbers are exact rationals
(a test of the project enforces it). Nothing computed here is an answer of
exactscape: every float answer it proposes is turned into rationals and
re-verified exactly elsewhere before anything is reported, or it is shown
beside the exact answer as what a float program would have said.

Modules:

* :mod:`~exactscape.floats.convert` -- floats to the rationals they equal (or a stated rounding);
* :mod:`~exactscape.floats.files` -- instance files: NumPy ``.npz``/``.npy`` and ``.csv`` (JSON to the exact reader);
* :mod:`~exactscape.floats.weights` -- trained float weights: JSON with floats, ``.npz``, PyTorch ``state_dict``;
* :mod:`~exactscape.floats.lp` -- the float (HiGHS) genuineness decision, float loss, gradient descent;
* :mod:`~exactscape.floats.hint` -- HiGHS hints for the exact polyhedron decision, kept only once verified exactly;
* :mod:`~exactscape.floats.spurious` -- a float search for a point of lower loss, made exact before use;
* :mod:`~exactscape.floats.plots` -- matplotlib pictures of atlases and of the loss along a path;
* :mod:`~exactscape.floats.witness` -- float proposals of genuine points, verified exactly before use;
* :mod:`~exactscape.floats.boxes` -- float proposals for the box search of dependent samples;
* :mod:`~exactscape.floats.options` -- float values of command-line options and the float commands' defaults.

A library: no command lives here (the float commands are :mod:`exactscape.cli.crosscheck` and
:mod:`exactscape.cli.experiments`), and nothing here imports the CLI, the experiments, the cross-check
or the certificate writer.
"""
