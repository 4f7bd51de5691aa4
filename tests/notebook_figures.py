"""The matplotlib backend the notebooks run with in the test suite (experiments/conftest.py sets
`MPLBACKEND=module://tests.notebook_figures`): a figure shown with an axis or a colour bar
without a label fails its notebook. Figures are drawn (Agg) and dropped."""

from matplotlib._pylab_helpers import Gcf
from matplotlib.backends.backend_agg import FigureCanvasAgg as FigureCanvas
from matplotlib.figure import Figure

__all__ = ["FigureCanvas", "show", "unlabelled"]


def unlabelled(figure: Figure) -> list[str]:
    """Each axis of the figure with no label: both axes of a plot (a figure-wide label serves
    all), the long axis of a colour bar."""
    shared = {"x": figure.get_supxlabel(), "y": figure.get_supylabel()}
    missing = []
    for number, ax in enumerate(figure.axes):
        if not ax.axison:
            continue
        colorbar = getattr(ax, "_colorbar", None)
        if colorbar is not None:
            names = ["y" if colorbar.orientation == "vertical" else "x"]
        else:
            names = [name for name in ("x", "y") if not shared[name].strip()]
        where = f"axes {number} ({ax.get_title() or ('colour bar' if colorbar else 'no title')})"
        missing += [
            f"{where}: no {name} label"
            for name in names
            if not getattr(ax, f"get_{name}label")().strip()
        ]
    return missing


def show(*args: object, **kwargs: object) -> None:
    """Draw every open figure and fail on the first with an unlabelled axis."""
    try:
        for manager in Gcf.get_all_fig_managers():
            figure = manager.canvas.figure
            figure.canvas.draw()
            if missing := unlabelled(figure):
                raise AssertionError("unlabelled: " + "; ".join(missing))
    finally:
        Gcf.destroy_all()
