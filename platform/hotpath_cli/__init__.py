"""`hotpath`: the command-line client of a Hotpath site (standard library only)."""
