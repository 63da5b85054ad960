"""PyRTL netlists and numpy golden models, one package per technique."""
