"""Escalation around Idlib and north-east Syria after January 2019: an agent-based model on Mesa."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("idlib-escalation")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+source"
