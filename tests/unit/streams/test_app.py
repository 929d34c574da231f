"""streams.app: the faust options the worker is built with."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.app import create_app
from streams.settings import Settings


def test_streams_app_keeps_no_standby_table_by_default(tmp_path: Path) -> None:
    # faust's default is 1; 0 costs two workers less CPU an article (docs/performance.md).
    app = create_app(Settings(data_dir=tmp_path))
    assert app.conf.table_standby_replicas == 0
    assert app.assignor.replicas == 0


@pytest.mark.parametrize("replicas", [0, 1, 2])
def test_streams_app_passes_table_standby_replicas_to_faust(replicas: int,
                                                           tmp_path: Path) -> None:
    app = create_app(Settings(table_standby_replicas=replicas, data_dir=tmp_path))
    assert app.conf.table_standby_replicas == replicas
    assert app.assignor.replicas == replicas

