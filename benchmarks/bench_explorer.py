"""How long the explorer takes to draw a frame: the map and charts (and postures and events)
of one day, as the page's HTML.

    .venv/bin/python benchmarks/bench_explorer.py [--repeat 20] [--browser]

Cases: a live baseline run (one run, and an ensemble of 10) on day 280, its frame taken from the
model (`Live.frame`) and drawn (`views.page`); a stored run replayed on day 560 (`Replay`), read
back from a `sim run` folder made first. Each is timed `repeat` times, the median and best
printed. Then a step on the live page rendered by `solara.render` (the server's side of a step:
the click, the day simulated, the page redrawn), on the days after day 280. With --browser,
headless Chromium also swaps each frame's HTML into a page and lays it out (the browser's share
of a frame, without the server's round trip).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sim import results
from sim.app import views
from sim.app.sources import Live, Replay

DAY = 280


def timed(draw: Callable[[], str], repeat: int) -> tuple[list[float], str]:
    """Seconds of each of `repeat` calls of `draw`, and its last HTML."""
    times, html = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        html = draw()
        times.append(time.perf_counter() - start)
    return times, html


def cases(folder: Path) -> dict[str, Callable[[], str]]:
    """Each case's drawing of one frame."""
    found = {}
    for runs in (1, 10):
        live = Live("baseline", 1, runs, {})
        while live.day < DAY:
            live.step()
        found[f"live, {runs} run(s), day {DAY}"] = lambda live=live: views.page(
            live.frame(), "baseline"
        )
    replay = Replay(results.open(folder), 0, day=560)
    found["replay, day 560"] = lambda: views.page(replay.frame(), replay.name)
    return found


def page_steps(repeat: int) -> list[float]:
    """Seconds of each of `repeat` clicks of Step on the live baseline page, from day `DAY`."""
    import ipyvuetify as v
    import solara

    from sim.app import page

    page.START = {"scenario": "baseline", "values": {}, "seed": 1}
    _, rendered = solara.render(page.Page(), handle_error=False)
    button = rendered.find(v.Btn, children=["Step"]).widget
    for _ in range(DAY):
        button.click()
    return timed(lambda: button.click() or "", repeat)[0]


def in_browser(pages: dict[str, str], repeat: int) -> dict[str, list[float]]:
    """Milliseconds Chromium takes to swap in each page's HTML and lay it out."""
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu"]
    found = {}
    with sync_playwright() as playwright:
        chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        browser = playwright.chromium.launch(executable_path=chromium, args=args)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.set_content("<div id='frame'></div>")
        for name, html in pages.items():
            found[name] = page.evaluate(
                """([html, repeat]) => Array.from({length: repeat}, () => {
                    const start = performance.now();
                    const div = document.getElementById('frame');
                    div.innerHTML = html;
                    div.getBoundingClientRect(); document.body.offsetHeight;
                    return performance.now() - start;
                })""",
                [html, repeat],
            )
        browser.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--browser", action="store_true", help="also time Chromium's layout")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "baseline"
        command = [sys.executable, "-m", "sim", "run", "baseline", "--replicates", "1"]
        subprocess.run([*command, "--out", str(folder)], check=True, capture_output=True)
        pages = {}
        for name, draw in cases(folder).items():
            times, pages[name] = timed(draw, options.repeat)
            print(
                f"{name}: frame drawn in {statistics.median(times) * 1000:.1f} ms "
                f"(median of {options.repeat}; best {min(times) * 1000:.1f} ms)"
            )
    times = page_steps(options.repeat)
    print(
        f"a step on the page, server side, from day {DAY}: {statistics.median(times) * 1000:.1f} "
        f"ms (median of {options.repeat}; best {min(times) * 1000:.1f} ms)"
    )
    if options.browser:
        for name, times in in_browser(pages, options.repeat).items():
            print(f"{name}: laid out in Chromium in {statistics.median(times):.1f} ms (median)")


if __name__ == "__main__":
    main()
