"""Correlation, the correlate stage: reports of one real-world event get one event id (dedup).

May import: the contracts (processors.models, errors, identity); corpus.py also the extract stage.
"""
