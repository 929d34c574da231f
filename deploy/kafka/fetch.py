"""Gather the local broker's jars from Maven Central over https, without Maven.

    python deploy/kafka/fetch.py LIBS     download every jar of jars.txt into LIBS (once)
    python deploy/kafka/fetch.py --lock   re-resolve jars.txt from pom.xml (needs Maven)

``jars.txt`` pins each jar by coordinates and sha256, resolved once from ``pom.xml`` with
Maven; a download whose digest differs is refused. The jars land in a scratch directory that
replaces LIBS only when every one has arrived, so an interrupted fetch never leaves half a set,
and LIBS/.fetched holds the digest of the jars.txt it came from. Standard library only: it runs
before any virtualenv exists. Environment: KAFKA_MAVEN_REPO (https://repo1.maven.org/maven2).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
JARS = HERE / "jars.txt"
POM = HERE / "pom.xml"
DEFAULT_REPO = "https://repo1.maven.org/maven2"
_TRIES = 3


class FetchError(Exception):
    """A jar could not be downloaded or did not match its pinned digest."""


def pinned(text: str) -> list[tuple[str, str, str, str]]:
    """(group, artifact, version, sha256) for each non-comment line of jars.txt."""
    jars = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            coordinates, digest = line.split()
            group, artifact, version = coordinates.split(":")
        except ValueError:
            raise FetchError(f"{JARS}:{number}: expected 'group:artifact:version sha256'") from None
        jars.append((group, artifact, version, digest.lower()))
    return jars


def jar_path(group: str, artifact: str, version: str) -> str:
    """The path of a jar in a Maven repository's layout."""
    return f"{group.replace('.', '/')}/{artifact}/{version}/{artifact}-{version}.jar"


def stamp_of(text: str) -> str:
    """What LIBS/.fetched holds once the jars of this jars.txt are in place."""
    return hashlib.sha256(text.encode()).hexdigest()


def _download(repo: str, jar: tuple[str, str, str, str], into: Path) -> None:
    group, artifact, version, digest = jar
    url = f"{repo.rstrip('/')}/{jar_path(group, artifact, version)}"
    last = ""
    for attempt in range(_TRIES):
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                data = response.read()
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            last = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
            if attempt + 1 < _TRIES:
                time.sleep(0.5 * (attempt + 1))
            continue
        actual = hashlib.sha256(data).hexdigest()
        if actual != digest:
            raise FetchError(f"{url}: sha256 {actual}, jars.txt pins {digest}")
        (into / f"{artifact}-{version}.jar").write_bytes(data)
        return
    raise FetchError(f"cannot download {url} ({last}); check the network or KAFKA_MAVEN_REPO")


def fetch(libs: Path, *, repo: str = DEFAULT_REPO) -> bool:
    """Put the pinned jars into ``libs``; False when they were there already."""
    text = JARS.read_text(encoding="utf-8")
    stamp = libs / ".fetched"
    if stamp.is_file() and stamp.read_text().strip() == stamp_of(text):
        return False
    jars = pinned(text)
    libs.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"{libs.name}.tmp.", dir=libs.parent))
    try:
        print(f"fetch.py: fetching {len(jars)} Apache Kafka jars from {repo} into {libs}",
              file=sys.stderr)
        pool = ThreadPoolExecutor(max_workers=4)
        try:
            for future in [pool.submit(_download, repo, jar, scratch) for jar in jars]:
                future.result()
        finally:
            # The first failure ends the fetch: the jars not yet started are not tried.
            pool.shutdown(cancel_futures=True)
        (scratch / ".fetched").write_text(stamp_of(text) + "\n")
        shutil.rmtree(libs, ignore_errors=True)
        scratch.rename(libs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return True


def lock() -> str:
    """jars.txt's text for the runtime dependencies of pom.xml, resolved by Maven."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["mvn", "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
             "-DincludeScope=runtime", f"-DoutputDirectory={tmp}",
             "-Dmdep.useRepositoryLayout=true"],
            check=True,
        )
        lines = []
        for path in sorted(Path(tmp).rglob("*.jar")):
            parts = path.relative_to(tmp).parts
            group, artifact, version = ".".join(parts[:-3]), parts[-3], parts[-2]
            if path.name != f"{artifact}-{version}.jar":
                raise FetchError(f"{path.name}: a classifier jars.txt cannot express")
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            lines.append(f"{group}:{artifact}:{version} {digest}")
    header = JARS.read_text(encoding="utf-8").splitlines() if JARS.exists() else []
    comments = [line for line in header if line.startswith("#")]
    return "\n".join([*comments, *lines]) + "\n"


def main(argv: list[str]) -> int:
    """Command line: LIBS, or --lock."""
    if argv == ["--lock"]:
        JARS.write_text(lock(), encoding="utf-8")
        return 0
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        fetch(Path(argv[0]), repo=os.environ.get("KAFKA_MAVEN_REPO") or DEFAULT_REPO)
    except (FetchError, OSError) as exc:
        print(f"fetch.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
