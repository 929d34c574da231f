"""Unit tests of detect."""
