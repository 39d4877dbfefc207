"""Learning across trials: what is recalled before a trial, how it acts on the choice, and
what is remembered after it.

``recall`` (the trial's ``Recollection``), ``scorers`` (memory's votes on each choice),
``roles`` (another variation's names rebound to this one), ``learner`` (reflect and remember
after a trial) and ``demonstrations`` (an oracle's path, learned like a trial).
"""
