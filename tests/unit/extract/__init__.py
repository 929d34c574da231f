"""Unit tests of extract."""
