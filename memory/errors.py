"""Errors raised by the memory layer.

MemoryLayerError
└── HomeError        the cairn home or its database cannot be used
    └── HomeInUse    another process has the home's vector index open (memory.lock)
"""


class MemoryLayerError(Exception):
    """Base of every error the memory layer raises on purpose."""


class HomeError(MemoryLayerError):
    """The cairn home directory or its database is unusable; the message says how to fix it."""
