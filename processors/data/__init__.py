"""Versioned rule and gazetteer data files (JSON), loaded once."""
