"""Both calibration windows on 1,000 baseline replicates: the article's (days 0-128, C04, C11,
C12, C14) and the 2019 offensive's (P01-P05, ../shared/patterns.md)."""

import numpy as np


def test_breaches_killed_injured_in_bands(baseline_1000):
    """C11: >1,000 breaches (median 1,000-1,300), ~65 killed (50-80), >200 injured (200-320)."""
    summary, _ = baseline_1000
    assert 1000 <= np.median(summary["breaches_day128"]) <= 1300
    assert 50 <= np.median(summary["breach_killed_day128"]) <= 80
    assert 200 <= np.median(summary["breach_injured_day128"]) <= 320


def test_hts_in_full_control_by_day_128(baseline_1000):
    """C04, C11: HTS holds at least 90% of the zone's people by day 128."""
    summary, _ = baseline_1000
    assert np.median(summary["hts_zone_share_day128"]) >= 0.9
    assert np.mean(summary["hts_zone_share_day128"] >= 0.9) >= 0.75


def test_cessions_in_the_last_weeks(baseline_1000):
    """C12: several groups cede administration to HTS between days 100 and 128."""
    summary, _ = baseline_1000
    assert np.median(summary["cessions_day100_128"]) >= 2


def test_no_ground_offensive_before_the_talks(baseline_1000):
    """C04, C14: the assault was postponed: no offensive before day 128 in >= 90% of runs."""
    summary, _ = baseline_1000
    first = summary["first_offensive_day"]
    assert np.mean(np.isnan(first) | (first > 128)) >= 0.9


def test_russian_frustration_rises_towards_the_talks(baseline_1000):
    """C01, C10: Russia's frustration grows through the window up to the Moscow talks."""
    _, frustration = baseline_1000
    assert frustration[30] < frustration[90] < frustration[127]


def test_p01_the_offensive_begins_in_spring_2019(baseline_1000):
    """P01: the Russian-backed offensive began on days 224-225; median first day 200-250."""
    summary, _ = baseline_1000
    first = np.nan_to_num(summary["first_offensive_day"], nan=10**6)  # never: after any day
    assert 200 <= np.median(first) <= 250


def test_p02_hundreds_of_thousands_flee(baseline_1000):
    """P02: >400,000 displaced May-August 2019; median added days 225-340: 300,000-650,000."""
    summary, _ = baseline_1000
    assert 300_000 <= np.median(summary["displaced_day225_340"]) <= 650_000


def test_p03_hundreds_of_civilians_killed_a_month(baseline_1000):
    """P03: 1,089 civilians killed 29 April - 29 August 2019; median days 224-346: 700-1,600."""
    summary, _ = baseline_1000
    assert 700 <= np.median(summary["civilians_killed_day224_346"]) <= 1600


def test_p04_a_few_districts_change_hands(baseline_1000):
    """P04: by day 345 Damascus holds northern Hama and Khan Shaykhun (>= 50% of runs), not
    Maarat al-Numan (<= 25%), and at most 10% of the zone's day-0 residents (median)."""
    summary, _ = baseline_1000
    assert np.mean(summary["damascus_holds_northern_hama_day345"] == 1) >= 0.5
    assert np.mean(summary["damascus_holds_khan_shaykhun_day345"] == 1) >= 0.5
    assert np.mean(summary["damascus_holds_maarat_al_numan_day345"] == 1) <= 0.25
    assert np.median(summary["damascus_zone_share_day345"]) <= 0.10


def test_p05_the_offensive_pauses(baseline_1000):
    """P05: ceasefires in August 2019; in >= 50% of runs the first offensive has paused (14 days
    without a Damascus ground attack) by day 365."""
    summary, _ = baseline_1000
    pause = summary["first_pause_day"]
    assert np.mean((pause >= 0) & (pause <= 365)) >= 0.5
