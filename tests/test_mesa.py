"""The model as Mesa models are built and driven: keyword parameters, `rng`, `running`, the
datacollector, and `mesa.batch_run`."""

import mesa
import numpy as np
import pandas as pd
import pytest

from sim.model import EscalationModel
from sim.model.scenario import load


@pytest.mark.slow
def test_mesa_batch_run_gives_a_run_for_each_seed():
    rows = mesa.batch_run(
        EscalationModel,
        {"scenario": "baseline", "turkey_effort": [0.2, 0.8]},
        rng=[1, 2, 3],
        number_processes=1,
        display_progress=False,
    )
    runs = pd.DataFrame(rows)
    assert len(runs) == 6  # one model a run, its last day
    assert (runs["day"] == 560).all()
    assert sorted(runs["turkey_effort"].unique()) == [0.2, 0.8]
    assert (runs.groupby("turkey_effort")["seed"].nunique() == 3).all()
    assert set(runs["seed"]) == set(EscalationModel("baseline", 1, s).seeds[0] for s in (1, 2, 3))
    assert runs["killed"].nunique() > 1


def test_keywords_rng_and_running():
    model = EscalationModel("baseline", rng=5, turkey_effort=0.9, coordination=0.1)
    assert model.replicates == 1 and model.master_seed == 5
    assert model.params.turkey_effort[0] == 0.9 and model.params.coordination[0] == 0.1
    same = EscalationModel(load("baseline")[0], 1, 5, parameters={"turkey_effort": 0.9})
    assert (same.seeds == model.seeds).all()
    assert EscalationModel("baseline").master_seed == load("baseline")[0].seed  # the default
    fresh = {EscalationModel("baseline", rng=None).master_seed for _ in range(3)}
    assert len(fresh) == 3  # entropy, recorded
    generated = EscalationModel("baseline", rng=np.random.default_rng(4)).master_seed
    assert generated == EscalationModel("baseline", rng=np.random.default_rng(4)).master_seed
    steps = 0
    while model.running:
        model.step()
        steps += 1
    assert steps == 561 and model.day == 561


def test_the_datacollector_is_the_recorded_series_as_tidy_rows():
    one = EscalationModel("baseline", rng=2, record_every=7)
    one.run_model()
    frame = one.datacollector.get_model_vars_dataframe()
    assert len(frame) == 81 and list(frame["day"]) == list(range(0, 561, 7))
    assert one.datacollector.model_vars["killed"][-1] == frame["killed"].iloc[-1]
    batch = EscalationModel("baseline", 3, 2, record_every=7)
    batch.run_model()
    tidy = batch.datacollector.get_model_vars_dataframe()
    assert len(tidy) == 3 * 81 and set(tidy["run"]) == {0, 1, 2}
    assert (tidy[tidy["run"] == 0]["killed"].to_numpy() >= 0).all()


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        ({"colour": 1}, "colour: unknown parameter"),
        ({"turkey_effort": 3}, "turkey_effort"),
        ({"rng": -1}, "rng: -1 is not a seed"),
        ({"rng": "seven"}, "rng: 'seven' is not a seed"),
        ({"scenario": "nowhere"}, "no such scenario"),
    ],
)
def test_bad_arguments_are_value_errors_naming_them(arguments, said):
    with pytest.raises(ValueError, match=said):
        EscalationModel(**arguments)


def test_batch_run_and_the_datacollector_name_the_postures_in_ladder_order():
    """Postures come as names, not bare codes: strings in `mesa.batch_run`'s rows and the
    model variables, ordered categories (ladder order) in the data frame."""
    rows = pd.DataFrame(
        mesa.batch_run(
            EscalationModel,
            {"scenario": "immediate_assault"},
            rng=[1],
            number_processes=1,
            display_progress=False,
        )
    )
    assert set(rows["posture_damascus"]) <= {"shelling", "offensive", "assault"}
    batch = EscalationModel("immediate_assault", 3, 2, record_every=7)
    batch.run_model()
    assert {"shelling", "offensive", "assault"} >= set(
        np.concatenate(batch.datacollector.model_vars["posture_damascus"])
    )
    tidy = batch.datacollector.get_model_vars_dataframe()["posture_damascus"]
    assert list(tidy.cat.categories) == ["shelling", "offensive", "assault"] and tidy.cat.ordered
    assert tidy.max() == "assault" and (tidy > "shelling").any()
