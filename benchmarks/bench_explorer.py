"""How long the explorer takes to draw a frame: the map and charts (and postures and events)
of one day, as the page's HTML.

    .venv/bin/python benchmarks/bench_explorer.py [--repeat 20] [--browser]

Cases: a live baseline run (one run, and an ensemble of 10) on day 280, its frame taken from the
model (`Live.frame`) and drawn (`views.page`); a stored run replayed on day 560 (`Replay`), read
back from a `sim run` folder made first. Each is timed `repeat` times, the median and best
printed. Then a step on the live page rendered by `solara.render` (the server's side of a step:
the click, the day simulated, the page redrawn), on the days after day 280, and what of it each
part of the day takes. With --browser, headless Chromium also swaps each frame's HTML into a
page and lays it out (the browser's share of a frame, without the server's round trip), then
clicks Step on a page served by `sim explore` as the browser test does, on days 1 to `repeat`
and after day 280, and splits each round trip by marks in the page (`round_trip`). `--against
TREE` serves another source tree's page beside it, the two stepped alternately.
"""

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil

from sim import results
from sim.app import views
from sim.app.sources import Live, Replay

DAY = 280
HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))  # the tests' browser helpers

from tests.browser import CHROMIUM, CHROMIUM_ARGS, WATCH, served, stepped  # noqa: E402


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


def step_parts(repeat: int) -> dict[str, list[float]]:
    """Seconds of each part of `repeat` steps of a live baseline run from day `DAY`, as the page
    takes them: the model's day, the frame, what the page shows of the event log (drawn again
    only when the log grew, as the page does; 0 otherwise) and each of the day's parts."""
    live = Live("baseline", 1, 1, {})
    while live.day < DAY:
        live.step()
    found: dict[str, list[float]] = {}
    events, log = -1, None

    def part(name: str, work: Callable, *args):
        start = time.perf_counter()
        done = work(*args)
        found.setdefault(name, []).append(time.perf_counter() - start)
        return done

    for _ in range(repeat):
        part("the model's day", live.step)
        frame = part("the frame (the new day converted)", live.frame)
        if len(frame.events) != events:
            log = part("the event log (holders, events told)", views.logged, frame)
        else:
            found["the event log (holders, events told)"].append(0.0)
        events = len(frame.events)
        part("the heading", views.heading, frame, "baseline")
        part("the map", views.map_part, frame, log.holders)
        part("the charts", views.charts_part, frame)
        part("the figures and postures", views.tables, frame)
        part("the events", views.events_part, log.lines)
    return found


def in_browser(pages: dict[str, str], repeat: int) -> dict[str, list[float]]:
    """Milliseconds Chromium takes to swap in each page's HTML and lay it out."""
    from playwright.sync_api import sync_playwright

    found = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
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


FORWARD = """async (target) => {
    const day = () => Number(document.querySelector("span.day").textContent);
    const step = [...document.querySelectorAll("button")].find(
        (b) => b.textContent.trim() === "Step");
    while (day() < target) {
        const now = day();
        step.click();
        while (day() === now) await new Promise((done) => setTimeout(done, 5));
    }
}"""
"""Steps the page to day `target`, unmeasured."""


def round_trip(trees: list[Path], repeat: int) -> dict[tuple[Path, str], dict[str, list[float]]]:
    """Each tree's page stepped `repeat` times from day 0 and from day `DAY`, the trees in turn:
    the phases of each click in ms, and the server's CPU time a step ("server CPU")."""
    from playwright.sync_api import sync_playwright

    found: dict[tuple[Path, str], dict[str, list[float]]] = {}
    with contextlib.ExitStack() as stack, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = {}
        for tree in trees:
            url, process = stack.enter_context(served("baseline", "--seed", "1", tree=tree))
            server = psutil.Process(process.pid)
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.add_init_script(WATCH)
            page.goto(url)
            page.wait_for_function("document.querySelector('span.day')?.textContent === '0'")
            pages[tree] = page, server
        for start in (0, DAY):
            cpu = {}
            for tree, (page, server) in pages.items():
                page.evaluate(FORWARD, start)
                cpu[tree] = sum(server.cpu_times()[:2])
            for _ in range(repeat):
                for tree, (page, _) in pages.items():
                    times = found.setdefault((tree, f"from day {start}"), {})
                    for name, ms in stepped(page).items():
                        times.setdefault(name, []).append(ms)
            for tree, (_, server) in pages.items():
                spent = (sum(server.cpu_times()[:2]) - cpu[tree]) * 1000 / repeat
                found[tree, f"from day {start}"]["server CPU"] = [spent]
        browser.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--browser", action="store_true", help="also time Chromium's layout")
    parser.add_argument("--against", type=Path, help="another source tree, served alongside")
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
        f"ms (median of {options.repeat}; best {min(times) * 1000:.1f} ms), of which (medians):"
    )
    medians = {name: statistics.median(t) for name, t in step_parts(options.repeat).items()}
    medians["Solara (render, diff, widgets): the rest"] = statistics.median(times) - sum(
        medians.values()
    )
    for name, median in medians.items():
        print(f"  {name}: {median * 1000:.1f} ms")
    if options.browser:
        for name, times in in_browser(pages, options.repeat).items():
            print(f"{name}: laid out in Chromium in {statistics.median(times):.1f} ms (median)")
        trees = [HERE] + ([options.against.resolve()] if options.against else [])
        print(
            f"a step's round trip in Chromium, ms (median of {options.repeat}), load average "
            f"{os.getloadavg()[0]:.1f}:"
        )
        for (tree, days), phases in round_trip(trees, options.repeat).items():
            for name, times in phases.items():
                print(f"  {tree.name}, {days}: {name}: {statistics.median(times):.1f}")


if __name__ == "__main__":
    main()
