"""Escalation around Idlib and north-east Syria after January 2019: an agent-based model on Mesa."""


def __getattr__(name: str) -> str:
    """`sim.__version__`, read from the installed package's metadata when first asked for (its
    import costs a command's start-up a tenth of the time)."""
    if name != "__version__":
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("idlib-escalation")
    except PackageNotFoundError:  # running from a source tree without installing
        return "0.0.0+source"
