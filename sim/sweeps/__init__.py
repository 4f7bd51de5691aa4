"""Many runs: sweep files and their designs, lockstep batches on Dask, the resumable store."""
