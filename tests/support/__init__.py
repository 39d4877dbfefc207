"""Helpers shared by test modules (a test module imports from here, never from another test
module): the ``cairn`` command as a subprocess, environments that fail on purpose, reading a
home's database directly, the fuzzing settings."""
