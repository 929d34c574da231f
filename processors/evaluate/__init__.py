"""Evaluation: scores extracted incidents against gold (../shared/eval/SCHEMA.md's rule).

May import: the contracts and the stage packages (it runs extraction and correlation offline).
"""
