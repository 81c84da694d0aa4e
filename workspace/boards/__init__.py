"""Boundary-project boards: columns and cards that several communities work on together, live."""
