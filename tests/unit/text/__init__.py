"""Unit tests of text."""
