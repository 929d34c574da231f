"""The ``sitrep`` command line: broker, worker, feeding, tailing and offline tools."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.progress import Progress

from processors.errors import SitrepError
from streams import topics
from streams.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
kafka_app = typer.Typer(no_args_is_help=True, help="The local single-node Kafka broker.")
app.add_typer(kafka_app, name="kafka")
err = Console(stderr=True)


def _settings() -> Settings:
    return Settings()


def _write_lines(records: list[dict[str, object]]) -> None:
    out = sys.stdout.buffer
    for record in records:
        out.write(orjson.dumps(record) + b"\n")
    out.flush()


@kafka_app.command("start")
def kafka_start() -> None:
    """Fetch Kafka's jars with Maven if needed, then start the broker and wait until it answers."""
    from streams import broker

    settings = _settings()
    broker.start(settings)
    status = broker.status(settings)
    err.print(f"kafka running (pid {status.pid}) on {status.bootstrap}")


@kafka_app.command("stop")
def kafka_stop() -> None:
    """Stop the local broker."""
    from streams import broker

    broker.stop(_settings())
    err.print("kafka stopped")


@kafka_app.command("status")
def kafka_status() -> None:
    """Say whether the local broker runs and answers; exit 1 when it does not."""
    from streams import broker

    status = broker.status(_settings())
    if not status.running:
        err.print("kafka is not running")
        raise typer.Exit(1)
    err.print(f"kafka running (pid {status.pid}) on {status.bootstrap}")


@app.command()
def worker(
    loglevel: Annotated[str, typer.Option(help="Log level of the worker.")] = "warning",
) -> None:
    """Run the stream worker (ingest, correlate, detect) until interrupted."""
    from streams.app import create_app, run_worker

    run_worker(create_app(_settings()), loglevel=loglevel)


@app.command()
def feed(
    paths: Annotated[list[Path], typer.Argument(help=".txt, .json or .jsonl files or folders")],
) -> None:
    """Send articles to the ``articles`` topic, keyed by article id (safe to repeat)."""
    from streams.client import produce
    from streams.files import iter_article_records

    settings = _settings()
    records = [(key.encode(), value) for key, value in iter_article_records(paths)]
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("feeding", total=len(records))
        sent = asyncio.run(
            produce(settings, settings.topic(topics.ARTICLES), records,
                    on_sent=lambda: progress.advance(task))
        )
    err.print(f"fed {sent} articles to {settings.topic(topics.ARTICLES)}")


@app.command()
def tail(
    stream: Annotated[str, typer.Argument(help="incidents or alerts")],
    json_output: Annotated[bool, typer.Option("--json", help="Print raw JSON lines.")] = False,
    idle: Annotated[float, typer.Option(help="Stop after this many idle seconds (0: never).")]
    = 0.0,
    from_beginning: Annotated[bool, typer.Option(help="Start from the oldest record.")] = True,
) -> None:
    """Print incidents or alerts as they stream."""
    from streams.client import consume
    from streams.render import describe

    if stream not in ("incidents", "alerts"):
        raise typer.BadParameter("choose incidents or alerts")
    settings = _settings()

    async def run() -> None:
        async for record in consume(settings, settings.topic(stream),
                                    from_beginning=from_beginning,
                                    idle_timeout=idle or None):
            if json_output:
                sys.stdout.write(record.value.decode() + "\n")
            else:
                sys.stdout.write(describe(stream, orjson.loads(record.value)) + "\n")
            sys.stdout.flush()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="article files (.txt, .json, .jsonl)")],
) -> None:
    """Offline: articles in, incident JSON lines out (the prediction format), no Kafka."""
    from processors.correlate.corpus import extract_corpus
    from streams.files import read_articles

    settings = _settings()
    articles = read_articles(paths)
    incidents = extract_corpus(articles, include_background=settings.include_background,
                               max_incidents=settings.max_incidents_per_article)
    _write_lines([incident.model_dump(mode="json") for incident in incidents])


@app.command()
def alerts(
    path: Annotated[Path, typer.Argument(help="incident JSON lines, in any order")],
    flush: Annotated[bool, typer.Option(
        help="Also test the last weeks still in their grace period (--no-flush: exactly what "
             "a stream that saw these incidents has emitted so far).")] = True,
) -> None:
    """Offline: incident JSON lines in, alert JSON lines out, with the stream's detector."""
    from processors.detect.engine import run_offline
    from streams.files import read_incidents
    from streams.pipeline import detector_config

    result = run_offline(read_incidents(path), config=detector_config(_settings()), flush=flush)
    _write_lines([alert.model_dump(mode="json") for alert in result])


@app.command("eval")
def evaluate(
    articles: Annotated[Path, typer.Argument(help="articles (.jsonl)")],
    gold: Annotated[Path, typer.Argument(help="gold incidents (.jsonl), as in SCHEMA.md")],
    min_f1: Annotated[float, typer.Option(help="Exit 1 when F1 is below this.")] = 0.0,
    min_field: Annotated[float, typer.Option(help="Exit 1 when a field is below this.")] = 0.0,
    detail: Annotated[bool, typer.Option(
        help="Add scores by continent and country and the confusion of event types and "
             "target classes.")] = False,
) -> None:
    """Score extraction against gold incidents exactly as SCHEMA.md defines it."""
    from processors.correlate.corpus import extract_corpus
    from processors.evaluate.scoring import evaluate as score
    from processors.evaluate.scoring import format_report, load_gold
    from streams.files import read_articles

    settings = _settings()
    predictions = extract_corpus(read_articles([articles]),
                                 include_background=settings.include_background)
    report = score(predictions, load_gold(gold.read_bytes()))
    typer.echo(format_report(report, detail=detail))
    failing = [name for name, value in report.field_accuracy.items() if value < min_field]
    if report.f1 < min_f1 or failing:
        err.print(f"below the bar: F1 {report.f1:.3f} (min {min_f1}), fields {failing}")
        raise typer.Exit(1)


@app.command()
def backfill(
    path: Annotated[Path, typer.Argument(help="incident JSON lines or an ACLED CSV export")],
) -> None:
    """Load past events onto the ``incidents`` topic so that baselines have history."""
    from processors.detect.backfill import Skipped, read_backfill
    from streams.app import dumps
    from streams.client import produce

    settings = _settings()
    incidents = []
    skipped = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for item in read_backfill(handle):
            if isinstance(item, Skipped):
                skipped += 1
                err.print(f"skipped line {item.line}: {item.reason}: {item.detail}")
            else:
                incidents.append(item)
    records = [((i.country or "").encode(), dumps(i)) for i in incidents]
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("backfilling", total=len(records))
        sent = asyncio.run(produce(settings, settings.topic(topics.INCIDENTS), records,
                                   on_sent=lambda: progress.advance(task)))
    err.print(f"backfilled {sent} incidents to {settings.topic(topics.INCIDENTS)}")


@app.command()
def replay(
    tag: Annotated[str, typer.Option(help="Names the replay: app id <app_id>-replay-TAG, "
                                          "topics <prefix>replay-TAG.*")] = "",
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds.")] = 3600.0,
) -> None:
    """Rebuild every derived topic and table from ``articles`` under a new group and prefix."""
    import time

    from streams.replay import run_replay

    settings = _settings()
    result = run_replay(settings, tag=tag or time.strftime("%Y%m%d%H%M%S"), timeout=timeout)
    where = result.settings.topic("*")
    if not result.caught_up:
        err.print(f"replay into {where} did not catch up in {timeout:.0f} s; log: {result.log}")
        raise typer.Exit(1)
    err.print(f"replayed {settings.articles_topic or settings.topic(topics.ARTICLES)} into "
              f"{where} (app id {result.settings.app_id}); log: {result.log}")


@app.command()
def demo(
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds.")] = 240.0,
) -> None:
    """Local broker, worker, seeds/ fed in; print incidents and alerts as they stream."""
    from streams.demo import run_demo

    raise typer.Exit(run_demo(_settings(), timeout=timeout))


def main() -> None:
    """Entry point of the ``sitrep`` console script."""
    try:
        app()
    except SitrepError as exc:
        err.print(f"[red]error:[/red] {exc}")
        sys.exit(2)


if __name__ == "__main__":
    main()
