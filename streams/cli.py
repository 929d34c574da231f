"""The sitrep command line: broker, worker, feeding, tailing and offline tools.

An error is one line on stderr (what failed, where, what to do) and a non-zero exit; --debug
before the command, or SITREP_DEBUG=1, shows the traceback instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.progress import Progress

from processors.errors import BrokerError, InputFileError, PortInUse, SitrepError
from processors.models import Incident
from streams import topics
from streams.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__,
                  pretty_exceptions_enable=False)
kafka_app = typer.Typer(no_args_is_help=True, help="The local single-node Kafka broker.")
app.add_typer(kafka_app, name="kafka")
err = Console(stderr=True, soft_wrap=True)


def _settings() -> Settings:
    return Settings()


def _write_lines(records: list[dict[str, object]]) -> None:
    out = sys.stdout.buffer
    for record in records:
        out.write(orjson.dumps(record) + b"\n")
    out.flush()


SecureOption = Annotated[bool, typer.Option(
    "--secure",
    help="The secured local broker (SASL_SSL, SCRAM users, ACLs): its own home var/kafka-secure "
         "and ports 9094/9095 unless SITREP_KAFKA_HOME / SITREP_KAFKA_PORT / "
         "SITREP_KAFKA_CONTROLLER_PORT say otherwise; same as SITREP_KAFKA_SECURE=1.")]


def _broker_settings(secure: bool) -> Settings:
    settings = _settings()
    if not (secure or settings.kafka_secure):
        return settings
    defaults = {"kafka_secure": True, "kafka_home": settings.kafka_home.with_name("kafka-secure"),
                "kafka_port": 9094, "kafka_controller_port": 9095}
    chosen = settings.model_fields_set
    return settings.model_copy(update={k: v for k, v in defaults.items()
                                       if k == "kafka_secure" or k not in chosen})


@kafka_app.command("start")
def kafka_start(secure: SecureOption = False) -> None:
    """Fetch Kafka's pinned jars if needed, then start the broker and wait until it answers."""
    from streams import broker

    settings = _broker_settings(secure)
    broker.start(settings)
    status = broker.status(settings)
    err.print(f"kafka running (pid {status.pid}) on {status.bootstrap}")
    if settings.kafka_secure:
        secrets = broker.secrets_dir(settings)
        err.print(
            "SASL_SSL only. To use it as the worker's user:\n"
            f"  export SITREP_BOOTSTRAP_SERVERS={status.bootstrap} "
            "SITREP_SECURITY_PROTOCOL=SASL_SSL SITREP_SASL_MECHANISM=SCRAM-SHA-512 "
            f"SITREP_SASL_USERNAME=sitrep SITREP_SSL_CAFILE={secrets / 'ca.pem'}\n"
            "  export SITREP_SASL_PASSWORD=...   # the sitrep= line of "
            f"{secrets / 'credentials.env'}\n"
            "A newsroom client (produce articles, read alerts): sitrep kafka grant newsroom",
            soft_wrap=True, highlight=False, markup=False)


@kafka_app.command("grant")
def kafka_grant(
    user: Annotated[str, typer.Argument(help="a SCRAM user of the secured broker")] = "newsroom",
    prefix: Annotated[str | None, typer.Option(
        help="topic prefix (default SITREP_TOPIC_PREFIX)")] = None,
) -> None:
    """Secured broker: let USER produce to articles and read alerts, and nothing else."""
    from streams import broker

    settings = _broker_settings(True)
    used = settings.topic_prefix if prefix is None else prefix
    broker.grant_client(settings, user, used)
    err.print(f"{user} may produce to {used}articles and read {used}alerts", highlight=False)


@kafka_app.command("stop")
def kafka_stop(secure: SecureOption = False) -> None:
    """Stop the local broker."""
    from streams import broker

    broker.stop(_broker_settings(secure))
    err.print("kafka stopped")


@kafka_app.command("status")
def kafka_status(secure: SecureOption = False) -> None:
    """Say whether the local broker runs and answers; exit 1 when it does not."""
    from streams import broker

    status = broker.status(_broker_settings(secure))
    if not status.running:
        err.print("kafka is not running")
        raise typer.Exit(1)
    err.print(f"kafka running (pid {status.pid}) on {status.bootstrap}")


@app.command()
def worker(
    loglevel: Annotated[str, typer.Option(help="Log level of the worker.")] = "warning",
) -> None:
    """Run the stream worker (ingest, correlate, detect) until interrupted.

    It creates the topics it reads and writes when they are absent (README, Topics).
    """
    from streams.app import create_app, run_worker

    settings = _settings()
    _check_port_free(settings.web_host, settings.web_port)
    _check_broker(settings)
    run_worker(create_app(settings), loglevel=loglevel)


def _check_port_free(host: str, port: int) -> None:
    """PortInUse unless ``host:port`` can be bound now (the worker's web server needs it)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise PortInUse(f"cannot listen on {host}:{port} for /metrics and /health "
                            f"({exc.strerror}); stop what holds it or set SITREP_WEB_PORT"
                            ) from None


def _check_broker(settings: Settings) -> None:
    """BrokerError unless a broker answers at the bootstrap servers within a few seconds.

    A broker that answers but refuses this client (TLS, SASL) is not an error here: a worker
    keeps retrying, says why in its log and on /health, and starts once the cluster's admin
    has fixed the credentials or the certificate."""
    from streams.provision import reachable

    problem = asyncio.run(reachable(settings))
    if problem is not None and problem.startswith("cannot reach Kafka"):
        raise BrokerError(problem)


@app.command()
def feed(
    paths: Annotated[list[Path], typer.Argument(help=".txt, .json or .jsonl files or folders")],
) -> None:
    """Send articles to the articles topic, keyed by article id (safe to repeat)."""
    from streams import provision
    from streams.client import produce
    from streams.files import iter_article_records

    settings = _settings()
    records = [(key.encode(), value) for key, value in iter_article_records(paths)]
    provision.prepare(settings, [topics.ARTICLES])
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
    from streams import provision
    from streams.client import consume
    from streams.render import describe

    if stream not in ("incidents", "alerts"):
        raise typer.BadParameter("choose incidents or alerts")
    settings = _settings()
    provision.prepare(settings, [stream])

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


def _read_incident_file(path: Path) -> tuple[list[Incident], int]:
    """The incidents of a JSON-lines (prediction format) or ACLED CSV file, in line order, and
    how many lines were not records at all; every skipped line is reported on stderr, one line
    each with its number (an ACLED row that is no violent event is skipped too, not counted)."""
    from processors.detect.backfill import Skipped, read_backfill

    incidents = []
    bad = 0
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            for item in read_backfill(handle):
                if isinstance(item, Skipped):
                    bad += item.reason in ("invalid_incident", "not_json", "unknown_format")
                    err.print(f"{path}:{item.line}: skipped: {item.reason}: {item.detail}",
                              markup=False, highlight=False)  # fmt: skip
                else:
                    incidents.append(item)
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file; check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: cannot read it ({exc})") from None
    return incidents, bad


@app.command()
def alerts(
    path: Annotated[Path, typer.Argument(help="incident JSON lines (SCHEMA.md's prediction "
                                              "format) or an ACLED CSV export")],
    in_order: Annotated[bool, typer.Option(
        "--in-order", help="Line order is arrival order: print exactly the messages (early, "
                           "final, withdrawn) a worker emits when the records arrive so.")] = False,
    flush: Annotated[bool, typer.Option(
        help="Without --in-order: also test the last weeks still in their grace period "
             "(--no-flush: the final verdicts a stream that saw these incidents has emitted, "
             "then early verdicts on the weeks still open).")] = True,
) -> None:
    """Offline: incident lines in, alert JSON lines out, with the stream's detector."""
    from processors.detect.offline import run_in_order, run_offline
    from streams.pipeline import detector_config

    config = detector_config(_settings())
    incidents, bad = _read_incident_file(path)
    if in_order:
        result = run_in_order(incidents, config=config)
    else:
        result = run_offline(incidents, config=config, flush=flush)
    _write_lines([alert.model_dump(mode="json") for alert in result])
    if bad:
        raise typer.Exit(1)  # the alerts of the good lines are out; the bad ones are named


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
    path: Annotated[Path, typer.Argument(help="incident JSON lines (SCHEMA.md's prediction "
                                              "format) or an ACLED CSV export")],
) -> None:
    """Load past events onto the incidents topic, in line order, so baselines have history."""
    from streams import provision
    from streams.app import dumps
    from streams.client import produce

    settings = _settings()
    incidents, _ = _read_incident_file(path)
    records = [((i.country or "").encode(), dumps(i)) for i in incidents]
    provision.prepare(settings, [topics.INCIDENTS])
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
    """Rebuild every derived topic and table from articles under a new group and prefix."""
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


def _debug_wanted(argv: list[str]) -> bool:
    """True with --debug among the arguments (removed from them) or SITREP_DEBUG set."""
    wanted = os.environ.get("SITREP_DEBUG", "").strip().lower() not in ("", "0", "false", "no")
    if "--debug" in argv:
        argv.remove("--debug")
        wanted = True
    return wanted


def _one_line(exc: BaseException) -> str:
    """What a person reads instead of a traceback: the error's first line, and what to do."""
    from aiokafka.errors import KafkaConnectionError, KafkaError

    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    more = " (more with --debug)" if "\n" in text else ""
    if isinstance(exc, SitrepError):
        return f"{first}{more}"
    if isinstance(exc, KafkaConnectionError):
        from streams.client import UNREACHABLE_HINT

        return (f"cannot reach Kafka at {Settings().bootstrap_servers} (no broker answered); "
                f"{UNREACHABLE_HINT}")
    if isinstance(exc, KafkaError):
        return f"Kafka error: {type(exc).__name__}: {first}"
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror}; check the path"
    return f"unexpected {type(exc).__name__}: {first}{more}; rerun with --debug for the traceback"


def main() -> None:
    """Entry point of the sitrep console script."""
    argv = sys.argv[1:]
    debug = _debug_wanted(argv)
    if not debug:
        # aiokafka logs each failed connection; without a handler Python prints those warnings
        # through its last-resort handler, lines that only repeat the error below. The worker
        # sets up faust's own logging.
        logging.getLogger().addHandler(logging.NullHandler())
    try:
        app(args=argv, prog_name="sitrep")
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:
        if debug:
            raise
        err.print(f"[red]error:[/red] {_one_line(exc)}", highlight=False, soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
