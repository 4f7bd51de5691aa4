"""Between the model and the sweeps: the model's columns as described Arrow tables (tables.py)
and files on disk (disk.py: safe writes, locks, digests, provenance), so that the model itself
imports no I/O library."""
