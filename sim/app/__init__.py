"""The browser explorer (`sim explore`): a scenario simulated day by day, or a stored run
replayed, on one Solara page (`sim.app.page`). Nothing below this layer imports it."""
