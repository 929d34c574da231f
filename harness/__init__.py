"""Test and benchmark harness: fault runs, deterministic corpora, the passthrough yardstick.

May import: streams and processors; nothing in streams or processors imports it.
"""
