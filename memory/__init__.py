"""cairn's memory layer: the records every layer shares, the SQLite store that is the source
of truth, what is learned (insights, exemplars), the vector index and bundles; the root of
the error tree (``memory.errors``). Import from the modules themselves.
"""
