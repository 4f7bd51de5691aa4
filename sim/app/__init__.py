"""The browser explorer (`sim explore`): a scenario simulated day by day, or a stored run
replayed, on one Solara page (`sim.app.page`). Nothing below this layer imports it.

The page is plain Solara rather than Mesa's SolaraViz: SolaraViz steps one model with its own
loop and has no notion of a stored run read back day by day, which replay needs; here one page,
drawing the same frame (`sources.Frame`, `views.page`), serves both modes."""
