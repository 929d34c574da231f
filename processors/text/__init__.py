"""Shared text machinery: folding, sentences, multi-pattern matching, numbers, dates, rule files.

May import: the contracts (processors.models, processors.errors) and itself; no stage package.
"""
