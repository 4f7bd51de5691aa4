"""Between the model and the sweeps: the model's columns as data (tables.py: described Arrow
tables), so that the model itself imports no I/O library."""
