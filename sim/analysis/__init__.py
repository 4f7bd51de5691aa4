"""From runs to answers: scenario discovery (discover.py), sensitivity (sensitivity.py),
calibration (calibrate.py, posterior.py), outcomes written as expressions (expressions.py)."""
