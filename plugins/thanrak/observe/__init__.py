"""Data observability: what is unusual in a loaded file, not only what is invalid.

measures.py measures each loaded file (dq.file_metric), method.py judges a measure against a
baseline (robust z-score; parameters in contracts/observe.yaml), night.py judges a night's files
against their slots' history (dq.anomaly). Severity warn: nothing here ever blocks a load.
"""
