"""Running trials: the run's configuration, the trial loop, trials on Ray workers, and the
bench of suites that measures learning.

``config`` (one frozen ``RunConfig``), ``trials`` (the loop: recall, play, learn),
``distributed`` (workers and one memory service) and ``bench`` (suites, settings, curves).
"""
