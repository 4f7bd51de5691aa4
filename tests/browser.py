"""A headless Chromium page for the browser tests (Debian's chromium, driven by Playwright),
skipped where Chromium or playwright cannot be had, saying which; `sim explore` served on a free
loopback port (`served`); and a click on the explorer's Step timed by marks in the page
(`stepped`), for its test and `benchmarks/bench_explorer.py`."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_problem() -> str | None:
    """Why the browser test cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements.lock)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does it in CI)"
    return None


@contextlib.contextmanager
def browser_page(width: int, height: int) -> Iterator:
    """A page of a headless Chromium, `width` x `height` (the test skips where it cannot run)."""
    problem = chromium_problem()
    if problem:
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.set_default_timeout(60_000)
        yield page


WATCH = """
const Socket = window.WebSocket;
window.WebSocket = function (...args) {
    const socket = new Socket(...args);
    const send = socket.send.bind(socket);
    socket.send = (data) => { window.marks?.sent.push(performance.now()); return send(data); };
    socket.addEventListener("message", () => window.marks?.received.push(performance.now()));
    return socket;
};
window.WebSocket.prototype = Socket.prototype;
Object.assign(window.WebSocket, Socket);
"""
"""Run in the page before its own scripts (`add_init_script`): marks each websocket message,
out and in."""

ARM = """() => {
    const marks = window.marks = {sent: [], received: []};
    const day = document.querySelector("span.day").textContent;
    document.addEventListener("click", () => { marks.click = performance.now(); },
                              {capture: true, once: true});
    const observer = new MutationObserver(() => {
        if (document.querySelector("span.day")?.textContent === day) return;
        marks.drawn = performance.now();
        observer.disconnect();
        requestAnimationFrame(() => setTimeout(() => { marks.painted = performance.now(); }));
    });
    observer.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""
"""Marks the next click, the day's counter changed and the next frame painted."""

PHASES = {
    "click to message": ("click", "sent"),
    "server": ("sent", "received"),
    "page updated": ("received", "drawn"),
    "laid out and painted": ("drawn", "painted"),
    "round trip": ("click", "painted"),
}
"""A step's phases, between two marks of the page: the click until its websocket message is
out; the server's day and redraw until the last message back before the day's counter changed
(the websocket's own time on loopback is a fraction of a millisecond); Solara's update of the
page; the next frame laid out and painted; the whole round trip."""


def stepped(page) -> dict[str, float]:
    """One click of the explorer's Step by Playwright on a page opened after `WATCH`: the ms of
    each of `PHASES` by the page's marks, and "Playwright", from the call of its click until it
    saw the day's counter change (its own locating and checks of the button included)."""
    page.evaluate(ARM)
    day = int(page.locator("span.day").inner_text())
    start = time.perf_counter()
    page.get_by_role("button", name="Step").click()
    page.wait_for_function(f"document.querySelector('span.day')?.textContent === '{day + 1}'")
    wall = (time.perf_counter() - start) * 1000
    page.wait_for_function("window.marks.painted !== undefined")
    marks = page.evaluate("window.marks")
    marks["sent"] = min(t for t in marks["sent"] if t >= marks["click"])
    marks["received"] = max(t for t in marks["received"] if t <= marks["drawn"])
    found = {name: marks[end] - marks[start] for name, (start, end) in PHASES.items()}
    return found | {"Playwright": wall}


@contextlib.contextmanager
def served(*args: str | Path, tree: Path = ROOT) -> Iterator[tuple[str, subprocess.Popen]]:
    """`sim explore ARGS` with the code of the source tree `tree`, on a free loopback port: its
    address and its process (its output a pipe, the first line unread) once it listens, within
    two minutes; stopped after."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "sim", "explore", *map(str, args), "--port", str(port)]
    env = {**os.environ, "PYTHONPATH": str(tree)}  # `python -m` imports from `cwd` first
    process = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not listening(process.pid):
            assert process.poll() is None and time.monotonic() < deadline, "no server"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/", process
    finally:
        process.terminate()
        process.wait(timeout=30)


def listening(pid: int) -> set[str]:
    """The addresses a process listens on."""
    found = psutil.Process(pid).net_connections(kind="tcp")
    return {c.laddr.ip for c in found if c.status == psutil.CONN_LISTEN}
