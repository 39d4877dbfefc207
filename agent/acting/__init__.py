"""Acting: one decision at a time.

``state`` (what the agent sees: the ``Turn``), ``policy`` (scorers weigh every valid action),
``instructions`` (the task's own steps, in order), ``decide`` (the model's say on a shortlist),
``grounding`` (free text onto a valid action), ``agent`` (the decision, put together) and
``episode`` (one episode as a stream of step records).
"""
