"""Time ``find_places``: milliseconds per kB of text, median of several runs.

Run: ``.venv/bin/python scripts/bench_places.py [FILE ...]``

Without files it times a synthetic news-like text; with files (plain text articles) it
times each of them. The first call, which loads the data files, is timed separately.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from processors.extract.places import find_places

SENTENCES = (
    "Two rockets struck near the Ain al-Asad air base in western Anbar on Tuesday, officials said.",
    "A roadside bomb wounded three soldiers on the outskirts of Tarmiyah, north of Baghdad.",
    "Gunmen attacked a checkpoint in Diyala province late on Sunday night, police sources said.",
    "Drones targeted U.S. forces at Harir and Erbil airport in the Kurdistan Region.",
    "Militants fired mortars from across the Iraq-Syria border towards al-Qaim, a town in Anbar.",
    "In eastern Syria, an airstrike hit a truck near Albu Kamal, the monitoring group reported.",
    "The minister met his counterpart in Amman to discuss the economy and electricity prices.",
    "Turkish warplanes bombed suspected PKK positions in the Qandil mountains and near Sinjar.",
)


def _bench(text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        find_places(text)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000 / (len(text.encode("utf-8")) / 1000)


def main() -> None:
    """Print load time and ms per kB for each input."""
    t0 = time.perf_counter()
    find_places("Baghdad")
    print(f"first call (loads data): {(time.perf_counter() - t0) * 1000:.0f} ms")
    inputs = {p: Path(p).read_text(encoding="utf-8") for p in sys.argv[1:]}
    if not inputs:
        inputs = {"synthetic": " ".join(SENTENCES * 10)}
    rates = []
    for name, text in inputs.items():
        rate = _bench(text, runs=21)
        rates.append(rate)
        print(f"{name}: {len(text)} chars, {rate:.3f} ms/kB")
    print(f"median over inputs: {statistics.median(rates):.3f} ms/kB")


if __name__ == "__main__":
    main()
