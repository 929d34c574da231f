"""Detection, the detect stage: weekly counts per region, the spike detector, alert lifecycle.

May import: the contracts and processors.text; backfill.py also processors.extract (names, places).
"""
