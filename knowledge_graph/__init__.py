"""cairn's knowledge graph: actions, goals, objects and locations and how they relate
(``graph``), the entities named in actions and observations (``entities``), and the graph
written out as node-link JSON, GraphML, DOT or PNG (``export``). Built from memory records,
and rebuilt from them whenever it is stale.
"""
