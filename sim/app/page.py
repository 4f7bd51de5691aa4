"""The explorer's Solara page: live mode (a scenario simulated day by day, with its settings)
or replay mode (a stored run), chosen by `START`; `sim explore` sets it, and
`solara run sim.app.page` starts live mode on the baseline."""

import json
import math
import os
import threading
import time
from html import escape
from pathlib import Path

import reacton.ipyvuetify as rv
import solara

from sim.app.sources import KNOBS, MAX_RUNS, Live, Replay, knob_value
from sim.app.views import logged, page, run_card
from sim.model import scenario as scenarios
from sim.model.params import PARAMETERS
from sim.sweeps import results

START: dict = json.loads(os.environ.get("SIM_EXPLORE", '{"scenario": "baseline"}'))
"""What the page opens: {"scenario": name or file path, "values": {parameter: value}, "seed":
master seed or None} (live) or {"folder": path, "run": k, the run opened first} (replay)."""

SPEEDS = (1, 50)
"""The play speed's range, in days a second."""

KNOB_STYLE = ".knob .v-input__details { grid-column: 1 / -1; padding-inline: 0 }"
"""A knob's caption (its slider's hint) under the whole slider, its name included."""


def started(name: str, seed: int | None, runs: int, values: dict) -> Live | str:
    """A live run of these settings, or why there is none (one line)."""
    try:
        spec = scenarios.load(name)[0]
        return Live(name, spec.seed if seed is None else seed, runs, values)
    except ValueError as error:  # a ScenarioError or a pydantic error is a ValueError
        return str(error).splitlines()[0]


def choices(opened: str | None) -> list[str]:
    """The scenarios the page offers: the named ones, and the file it opened, if any."""
    named = list(scenarios.named_scenarios())
    return named if opened is None or opened in named else [*named, opened]


@solara.component
def Player(source: Live | Replay, tick: solara.Reactive[int]) -> None:
    """Step, play and pause, and the speed: for either mode."""
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(10)
    turn = solara.use_memo(threading.Lock, dependencies=[])  # one change (and render) at a time

    def step() -> None:
        with turn:
            source.step()
            tick.set(tick.value + 1)

    def toggle() -> None:
        with turn:
            playing.set(not playing.value)

    active = playing.value  # this render's: a thread started late must not act on a newer one

    def play(cancel: threading.Event) -> None:
        if not active:
            return
        while not cancel.is_set() and source.day < source.last:
            began = time.perf_counter()
            step()
            busy = time.perf_counter() - began
            # at least as long idle as the day took: the server still answers (Pause, pings)
            cancel.wait(max(1 / min(max(speed.value, SPEEDS[0]), SPEEDS[1]), busy))
        if not cancel.is_set():
            with turn:
                playing.set(False)  # the last day: Play again starts nothing

    # cancelled by a flag, never inside a day: an interrupted step would leave it half done
    solara.use_thread(play, dependencies=[source, active], intrusive_cancel=False)
    with solara.Row():
        solara.Button("Step", on_click=step, disabled=playing.value)
        solara.Button("Pause" if playing.value else "Play", on_click=toggle)
    solara.SliderInt("speed (days a second)", value=speed, min=SPEEDS[0], max=SPEEDS[1])


@solara.component
def Day(source: Live | Replay, title: str, tick: solara.Reactive[int]) -> None:
    """The current day of a source, drawn anew each `tick` (a step, a jump): only this
    component reads the tick, so a step draws the day and nothing else of the page. What it
    shows of the event log is drawn again only when the log has more or fewer events."""
    frame = solara.use_memo(source.frame, dependencies=[source, tick.value])
    log = solara.use_memo(lambda: logged(frame), dependencies=[source, len(frame.events)])
    solara.HTML(tag="div", unsafe_innerHTML=page(frame, title, log))


@solara.component
def Knob(name: str, value: float, values: solara.Reactive[dict]) -> None:
    """A parameter's slider over its registry range, in steps on which its default lies, with
    its value, unit and meaning under it (its hint). One widget, not a Solara slider and a
    caption: Solara walks every element of the page at each step of the day."""
    p = PARAMETERS[name]
    step = 1 if p.integer else 10 ** math.floor(math.log10((p.high - p.low) / 1000))
    cast = int if p.integer else float

    def moved(new: float) -> None:
        values.set({**values.value, name: round(min(max(float(new), p.low), p.high), 9)})

    rv.Slider(
        label=name,
        v_model=cast(value),
        on_v_model=moved,
        min=cast(p.low),
        max=cast(p.high),
        step=step,
        hint=f"{value:,.6g} {p.unit} (range {p.low:,g} to {p.high:,g}): {p.doc}",
        persistent_hint=True,
        class_="knob",
    )


@solara.component
def LivePage() -> None:
    """A scenario simulated day by day; any change of a setting starts it again."""
    name = solara.use_reactive(START.get("scenario", "baseline"))
    seed = solara.use_reactive(START.get("seed"))
    runs = solara.use_reactive(1)
    values = solara.use_reactive(dict(START.get("values", {})))
    resets, tick = solara.use_reactive(0), solara.use_reactive(0)
    settings = [name.value, seed.value, runs.value, values.value, resets.value]
    live = solara.use_memo(lambda: started(*settings[:4]), dependencies=settings)
    spec = solara.use_memo(lambda: scenarios.load(name.value)[0], dependencies=[name.value])
    with solara.Columns([1, 3]):
        with solara.Column():
            solara.Select("scenario", values=choices(START.get("scenario")), value=name)
            shown = spec.seed if seed.value is None else seed.value
            solara.InputInt("seed", value=shown, on_value=seed.set)
            solara.SliderInt("runs (a band of them)", value=runs, min=1, max=MAX_RUNS)
            if isinstance(live, Live):
                Player(live, tick)
            solara.Button("Reset", on_click=lambda: resets.set(resets.value + 1))
            solara.Style(KNOB_STYLE)
            for knob in KNOBS:
                Knob(knob, values.value.get(knob, knob_value(knob, spec)), values)
        if isinstance(live, str):  # solara.Error's widget fails on ipyvuetify 3
            solara.HTML(tag="p", unsafe_innerHTML=escape(live), style="color: #b00020")
        else:
            Day(live, live.spec.name, tick)


@solara.component
def ReplayPage(folder: Path, first: int) -> None:
    """The stored runs of a folder read back, one at a time: a field choosing the run (with its
    seed and varied parameters) and a day slider that jumps anywhere; another run opens on the
    day shown."""
    stored = solara.use_memo(lambda: results.open(folder), dependencies=[folder])
    runs = solara.use_memo(lambda: stored.runs(), dependencies=[stored])
    numbers = runs["run"]
    run, asked = solara.use_reactive(first), solara.use_reactive(first)
    kept = solara.use_ref(0)  # the day shown when another run is chosen
    replay = solara.use_memo(
        lambda: Replay(stored, run.value, kept.current), dependencies=[stored, run.value]
    )
    tick = solara.use_reactive(0)
    day = solara.use_memo(lambda: replay.day, dependencies=[replay, tick.value])

    def seek(day: int) -> None:
        replay.seek(day)
        tick.set(tick.value + 1)

    def choose(number: int) -> None:
        asked.set(number)
        if number in set(numbers):
            kept.current = replay.day
            run.set(number)

    with solara.Columns([1, 3]):
        with solara.Column():
            if len(runs) > 1:
                solara.InputInt("run", value=asked.value, on_value=choose)
            if asked.value != run.value:
                held = f"run {asked.value}: it holds runs {numbers.min()} to {numbers.max()}"
                solara.HTML(tag="p", unsafe_innerHTML=escape(held), style="color: #b00020")
            record = runs[numbers == run.value].to_dict("records")[0]
            solara.HTML(tag="table", unsafe_innerHTML=run_card(record, stored.inputs))
            solara.SliderInt("day", value=day, min=0, max=replay.last, on_value=seek)
            Player(replay, tick)
        Day(replay, replay.name, tick)


@solara.component
def Page() -> None:
    """The explorer."""
    solara.Title("sim explore")
    if "folder" in START:
        ReplayPage(Path(START["folder"]), int(START.get("run", 0)))
    else:
        LivePage()
