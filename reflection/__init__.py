"""cairn's reflection layer: turns finished trajectories into insight operations.

Empty until the learning issue; the package exists so the layer contract holds from day one.
"""
