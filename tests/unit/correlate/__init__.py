"""Unit tests of correlate."""
