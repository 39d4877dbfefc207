"""cairn's reflection layer: a finished trajectory turned into insight updates.

``evidence`` (no model: credit from score changes), ``llm`` (the model's CLIN-style lines,
in the ``grammar`` every writer and reader shares), ``citations`` (insights the model cited,
judged by what followed), ``promotion`` (meta-memory: an insight that holds in two
variations, tasks or environments widens), and ``trajectory`` and ``prompting``, which they
share. Reflectors never write insights themselves: ``memory.insights`` applies their updates.
"""
