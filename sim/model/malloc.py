"""Memory settings for the process that runs the model (speed only: no result changes)."""

import ctypes


def reuse_freed_memory() -> None:
    """Let glibc keep freed memory for reuse in this process (a no-op off glibc).

    The model makes many short-lived arrays of a few hundred KB. By default glibc maps and
    unmaps each one afresh until it adapts; Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536,
    which stops it adapting at all (a sweep batch ran five times slower on a worker than
    in-process, measured). Setting both thresholds to 32 MiB where the model runs works on any
    cluster, and made 10,000 replicates in one process 18% faster (measured).
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    libc.mallopt(m_trim_threshold, 2**25)
    libc.mallopt(m_mmap_threshold, 2**25)
