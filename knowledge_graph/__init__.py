"""cairn's knowledge graph: entities, actions and causal relations built from memory records.

Empty until the learning issue; the package exists so the layer contract holds from day one.
"""
