"""streams.pipeline: the stateful adapters between faust and the processors."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.settings import Settings


def test_streams_pipeline_extractor_turns_an_extractor_bug_into_a_dead_letter_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from processors.errors import ExtractionFailed, InvalidArticle
    from processors.models import Article
    from streams import pipeline

    extractor = pipeline.Extractor(Settings(data_dir=tmp_path))
    article = Article(id="a-1", title="Two killed in Mosul", body="Two people were killed.")
    assert isinstance(extractor.extract(article, record_day=None), list)

    def broken(*args: object, **kwargs: object) -> list[object]:
        raise IndexError("a rule read past the end")

    monkeypatch.setattr(pipeline, "extract_incidents", broken)
    with pytest.raises(ExtractionFailed) as caught:
        extractor.extract(article, record_day=None)
    assert isinstance(caught.value, InvalidArticle)  # the ingest agent dead-letters these
    assert caught.value.reason == "extraction_failed"
    assert "IndexError: a rule read past the end" in str(caught.value)
    assert isinstance(caught.value.__cause__, IndexError)
