"""Unit tests of evaluate."""
