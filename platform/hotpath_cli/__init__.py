"""`hotpath`: the command-line client of a Hotpath site; it talks only to the REST API (requests)."""
