"""Analyses of stored sweeps: scenario discovery (discover.py)."""
