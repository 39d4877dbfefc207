"""cairn's agent layer: environments, model backends, grounding, policy and the trial loop."""

__version__ = "0.1.0"
