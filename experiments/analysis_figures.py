"""Every figure and number of docs/sensitivity.md and docs/discovery.md, made by the commands
those pages show:

1. the three sweeps, `sim sweep` (a store that is there is resumed, so a finished one costs
   nothing): morris_baseline.toml, sobol_baseline.toml and power_vacuum.toml, into --stores;
2. `sim sensitivity` of the Morris store, and a check that sobol_baseline.toml varies what the
   screen picks (for each outcome the six strongest parameters above its noise floor; the
   script stops with the list if not), then of the Sobol store, into results/docs/ (made anew);
3. `sim discover --format json` of the power_vacuum store for each outcome of OUTCOMES;
4. docs/sensitivity_baseline.png (Sobol) and docs/sensitivity_morris.png, the numbers the pages
   quote in docs/sensitivity.json and docs/discovery.json, and the pages' marked blocks
   (`<!-- figures: NAME -->` to `<!-- /figures -->`) rewritten from them; tests/test_docs.py
   checks that the blocks are the JSON's and that every number the prose quotes is in a block.

At the files' sizes (92,056 runs in all) it takes about an hour on 2 cores beside other work:
the sweeps' times are in the JSON (54 min in all), the analyses take about 4 min.
`PYTHONPATH=.` makes it use this checkout's `sim`.

    PYTHONPATH=. .venv/bin/python experiments/analysis_figures.py
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "experiments"
DOCS = ROOT / "docs"
COMMAND = "python experiments/analysis_figures.py"
SWEEPS = {"morris": "morris_baseline", "sobol": "sobol_baseline", "discovery": "power_vacuum"}
"""Each analysis's sweep file (experiments/NAME.toml) and store (STORES/NAME)."""
OUTCOMES = {"any": "ne_operation_day.notna()", "early": "ne_operation_day < 300"}
"""The outcomes of scenario discovery: a north-east operation at all, and before day 300."""
PICKED = 6
"""The Sobol sweep varies, for each outcome, the screen's PICKED strongest above its floor."""
SHOWN = 7
"""The Sobol table shows each outcome's SHOWN strongest parameters."""
BLOCK = re.compile(r"(<!-- figures: (\S+) -->\n)(.*?)(<!-- /figures -->)", re.DOTALL)


def sim(*args: str | Path) -> str:
    """`python -m sim ARGS` (this checkout's, with PYTHONPATH=.): its standard output."""
    done = subprocess.run([sys.executable, "-m", "sim", *map(str, args)], stdout=subprocess.PIPE)
    if done.returncode != 0:
        sys.exit(f"sim {' '.join(map(str, args))}: exit status {done.returncode}")
    return done.stdout.decode()


def sweep(name: str, stores: Path) -> dict[str, Any]:
    """Run (or resume) a sweep; its size and how long its runs took (first batch started to last
    batch saved, from the store's manifest)."""
    store = stores / name
    sim("sweep", HERE / f"{name}.toml", "--out", store)
    manifest = json.loads((store / "manifest.json").read_text(encoding="utf-8"))
    took = datetime.fromisoformat(manifest["updated"]) - datetime.fromisoformat(manifest["created"])
    design = manifest["sweep"]["design"]
    return {
        "parameters": len(manifest["sweep"]["parameters"]),
        "base_samples": design.get("n"),
        "points": manifest["points"],
        "replicates": manifest["replicates"],
        "runs": manifest["runs"],
        "seconds": round(took.total_seconds()),
    }


def sensitivity(name: str, stores: Path) -> tuple[pd.DataFrame, pd.DataFrame, Path]:
    """`sim sensitivity` of a store into results/docs/NAME-sensitivity (made anew): its indices,
    its chance table (with the convergence figure) and its folder."""
    out = ROOT / "results" / "docs" / f"{name}-sensitivity"
    shutil.rmtree(out, ignore_errors=True)
    sim("sensitivity", stores / name, "--out", out)
    indices, chance = (pd.read_parquet(out / f"{t}.parquet") for t in ("indices", "chance"))
    convergence = pd.read_parquet(out / "convergence.parquet")
    main = "ST" if "ST" in indices else "mu_star"
    sizes = sorted(convergence["base_samples"].unique())[-2:]
    last, before = (convergence[convergence["base_samples"] == n] for n in sizes)
    change = (
        last.set_index(["outcome", "parameter"])[main]
        - before.set_index(["outcome", "parameter"])[main]
    )
    chance["largest_change"] = chance["outcome"].map(change.abs().groupby("outcome").max())
    return indices, chance, out


def ranked(indices: pd.DataFrame, outcome: str, by: str) -> pd.DataFrame:
    """An outcome's parameters, strongest first."""
    rows = indices[indices["outcome"] == outcome].dropna(subset=[by])
    return rows.sort_values(by, ascending=False)


def screen(indices: pd.DataFrame, chance: pd.DataFrame) -> dict[str, Any]:
    """The Morris screen's figures: each outcome's chance, noise floor, how many parameters
    are above it and the PICKED strongest of those; the parameters picked for Sobol."""
    outcomes = {}
    for row in chance.to_dict("records"):
        above = ranked(indices, row["outcome"], "mu_star").query("above_noise")
        outcomes[row["outcome"]] = {
            "chance": row["chance_share"],
            "noise_floor": row["noise_floor"],
            "above_floor": len(above),
            "strongest": above.head(PICKED)[["parameter", "mu_star", "mu_star_conf"]].to_dict(
                "records"
            ),
        }
    picked = {p["parameter"] for o in outcomes.values() for p in o["strongest"]}
    return {"outcomes": outcomes, "picked": sorted(picked)}


def indices_of(indices: pd.DataFrame, chance: pd.DataFrame) -> dict[str, Any]:
    """The Sobol figures: each outcome's chance, chance left in the means, convergence and
    its SHOWN strongest parameters by adjusted total index."""
    keep = ["parameter", "ST_adj", "ST_adj_conf", "S1_adj", "S1_adj_conf", "ST", "ST_conf"]
    return {
        row["outcome"]: {
            "chance": row["chance_share"],
            "chance_in_means": row["chance_in_means"],
            "largest_change": row["largest_change"],
            "strongest": ranked(indices, row["outcome"], "ST_adj")
            .head(SHOWN)[keep]
            .to_dict("records"),
        }
        for row in chance.to_dict("records")
    }


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


def sensitivity_blocks(found: dict[str, Any]) -> dict[str, str]:
    """docs/sensitivity.md's marked blocks, from its JSON."""
    morris, sobol = found["sweeps"]["morris"], found["sweeps"]["sobol"]
    sizes = (
        f"- Morris: {morris['parameters']} parameters, {morris['base_samples']} trajectories, "
        f"{morris['points']:,} points x {morris['replicates']} runs = {morris['runs']:,} runs, "
        f"{minutes(morris['seconds'])};\n"
        f"- Sobol: {sobol['parameters']} parameters, N = {sobol['base_samples']:,} base samples, "
        f"{sobol['points']:,} points x {sobol['replicates']} runs = {sobol['runs']:,} runs, "
        f"{minutes(sobol['seconds'])}.\n"
    )
    lines = [
        "| outcome | chance | noise floor | above it | the strongest above it: mu* ± 95% |",
        "|---|---|---|---|---|",
    ]
    for outcome, o in found["morris"]["outcomes"].items():
        strongest = "; ".join(
            f"`{p['parameter']}` {p['mu_star']:.3g} ± {p['mu_star_conf']:.2g}"
            for p in o["strongest"]
        )
        lines.append(
            f"| `{outcome}` | {o['chance']:.0%} | {o['noise_floor']:.3g} | {o['above_floor']} "
            f"| {strongest} |"
        )
    table = [
        "| outcome | chance | in the means | vs N/2 | leading parameters: ST_adj ± 95% (S1_adj) |",
        "|---|---|---|---|---|",
    ]
    for outcome, o in found["sobol"].items():
        leading = "; ".join(
            f"`{p['parameter']}` {p['ST_adj']:.2f} ± {p['ST_adj_conf']:.2f} ({p['S1_adj']:.2f})"
            for p in o["strongest"]
        )
        table.append(
            f"| `{outcome}` | {o['chance']:.0%} | {o['chance_in_means']:.0%} "
            f"| {o['largest_change']:.2f} | {leading} |"
        )
    picked = ", ".join(f"`{name}`" for name in found["morris"]["picked"])
    return {
        "sizes": sizes,
        "morris": "\n".join(lines) + "\n",
        "picked": f"The {len(found['morris']['picked'])} picked: {picked}.\n",
        "sobol": "\n".join(table) + "\n",
    }


def discovery_blocks(found: dict[str, Any]) -> dict[str, str]:
    """docs/discovery.md's marked blocks, from its JSON."""
    pv = found["sweep"]
    blocks = {
        "sizes": f"{pv['points']} points x {pv['replicates']} runs = {pv['runs']:,} runs, "
        f"{minutes(pv['seconds'])}; peeled on {found['any']['points_peeled']} design points, "
        f"chosen and measured on the other {found['any']['points_held_out']}.\n"
    }
    for key, d in found.items():
        if key not in OUTCOMES:
            continue
        lines = [
            f"`{d['outcome']}` in {d['share']:.0%} of the runs. Box {d['chosen']} of the "
            f"trajectory's {len(d['trajectory'])} (box 0: the whole space): held-out coverage "
            f"{d['held_out_coverage']:.2f}, held-out density {d['held_out_density']:.2f} (the "
            f"whole space {d['whole_held_out_density']:.2f}); the null restricted in "
            f"{d['null_restricted']:.0%} of the resamples.",
            "",
            "| parameter | box | qp | range swept | restricted | feature score |",
            "|---|---|---|---|---|---|",
        ]
        for p in d["parameters"]:
            box = "" if p["low"] is None else f"{p['low']:.3g}-{p['high']:.3g}"
            qp = "" if p["qp"] is None else f"{p['qp']:.2g}"
            lines.append(
                f"| `{p['parameter']}` | {box} | {qp} | {p['range_low']:.3g}-{p['range_high']:.3g}"
                f" | {p['restricted']:.0%} | {p['score']:.3f} |"
            )
        blocks[key] = "\n".join(lines) + "\n"
    return blocks


def rewrite(page: Path, blocks: dict[str, str]) -> str:
    """The page with each marked block replaced; a block the page lacks, or one it has and
    `blocks` does not, stops the script."""
    text = page.read_text(encoding="utf-8")
    marked = [m.group(2) for m in BLOCK.finditer(text)]
    if sorted(marked) != sorted(blocks):
        sys.exit(f"{page}: marked blocks {marked}, expected {sorted(blocks)}")
    return BLOCK.sub(lambda m: m.group(1) + blocks[m.group(2)] + m.group(4), text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", type=Path, default=ROOT / "results" / "sweeps")
    stores = parser.parse_args().stores
    sizes = {kind: sweep(SWEEPS[kind], stores) for kind in ("morris", "discovery")}
    morris, chance, morris_out = sensitivity(SWEEPS["morris"], stores)
    screened = screen(morris, chance)
    sobol_file = tomllib.loads((HERE / "sobol_baseline.toml").read_text(encoding="utf-8"))
    if sorted(sobol_file["parameters"]) != screened["picked"]:
        sys.exit(f"sobol_baseline.toml: vary the screen's picks: {', '.join(screened['picked'])}")
    sizes["sobol"] = sweep(SWEEPS["sobol"], stores)
    sobol, sobol_chance, sobol_out = sensitivity(SWEEPS["sobol"], stores)
    found = {"command": COMMAND, "sweeps": {k: sizes[k] for k in ("morris", "sobol")}}
    found |= {"morris": screened, "sobol": indices_of(sobol, sobol_chance)}
    discovered = {"command": COMMAND, "sweep": sizes["discovery"]}
    for key, outcome in OUTCOMES.items():
        text = sim(
            "discover", stores / SWEEPS["discovery"], "--outcome", outcome, "--format", "json"
        )
        discovered[key] = json.loads(text)
    shutil.copyfile(sobol_out / "sensitivity.png", DOCS / "sensitivity_baseline.png")
    shutil.copyfile(morris_out / "sensitivity.png", DOCS / "sensitivity_morris.png")
    for page, figures, blocks in [
        ("sensitivity", found, sensitivity_blocks),
        ("discovery", discovered, discovery_blocks),
    ]:
        (DOCS / f"{page}.json").write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
        path = DOCS / f"{page}.md"
        path.write_text(rewrite(path, blocks(figures)), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} and {page}.json")


if __name__ == "__main__":
    main()
