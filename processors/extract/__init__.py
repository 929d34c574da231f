"""Extraction, the ingest stage: one article through ordered stages to its incident records.

May import: the contracts (processors.models, errors, identity) and processors.text; never
processors.correlate, processors.detect or processors.evaluate.
"""
