"""Combat: ceasefire breaches, air strikes, ground fighting and their toll, for R runs.

The rules change who holds what and the forces through `Territory`, and the people through
`People`; a fight is a sequence of named steps on a `Battle`, the arrays of the runs it is
fought in.
"""

from dataclasses import dataclass, field

import numpy as np

from sim.model.claims import rule
from sim.model.geography import (
    ACTORS,
    DAMASCUS,
    HTS,
    OPPOSITION,
    TURKEY,
    Geography,
    district_total,
    runs_where,
)
from sim.model.params import MIN_DEFENCE, ParameterSet
from sim.model.streams import Streams
from sim.model.world.calendar import Calendar
from sim.model.world.orders import Phase, order
from sim.model.world.people import FORCE_UNIT, People
from sim.model.world.relations import Relations
from sim.model.world.territory import TINY, Territory

REBELS = (HTS, OPPOSITION)


@dataclass
class Battle:
    """One day's ground fighting by `attacker`, in the runs `rows` that have a target: each
    array is (len(rows), D), as the fight began or as its steps work it out."""

    attacker: int
    rows: np.ndarray
    targets: np.ndarray  # bool: the districts attacked
    control: np.ndarray  # who held each district
    force: np.ndarray  # the holders' own force
    posts: np.ndarray  # Turkish troops at posts
    allied: np.ndarray  # opposition fighters under HTS
    commit: np.ndarray  # what each district can commit to an attack or a neighbour's defence
    same: np.ndarray  # each neighbour on the district's side (`Geography.same_side`)
    sent: np.ndarray = field(init=False)  # what each attacker district sends
    raw_attack: np.ndarray = field(init=False)  # the attack on each target, before `boost`
    attack: np.ndarray = field(init=False)  # and with it
    helps: np.ndarray = field(init=False)  # what each defending neighbour sends
    present: np.ndarray = field(init=False)  # the defenders in each target
    defence: np.ndarray = field(init=False)  # and as they count (`resolve`)
    attacker_lost: np.ndarray = field(init=False)
    defender_lost: np.ndarray = field(init=False)
    won: np.ndarray = field(init=False)  # bool: the targets taken
    defenders_lost: np.ndarray = field(init=False)  # what the targets' own defenders lost
    routed: np.ndarray = field(init=False)  # defenders of a fallen district with nowhere to go


class Combat:
    """Breaches, strikes and ground fighting, with the running toll of the breaches."""

    def __init__(
        self,
        geo: Geography,
        params: ParameterSet,
        streams: Streams,
        calendar: Calendar,
        territory: Territory,
        people: People,
        relations: Relations,
    ) -> None:
        self.geo, self.params, self.streams, self.calendar = geo, params, streams, calendar
        self.territory, self.people, self.relations = territory, people, relations
        r = len(territory.control)
        self.breaches = np.zeros(r, dtype=np.int64)
        self.breach_killed = np.zeros(r)  # in breaches and strikes: the article's measure (C11)
        self.breach_injured = np.zeros(r)
        self.soldiers_killed = np.zeros(r, dtype=np.int64)  # Turkish soldiers, all causes
        self._zone = geo.theatre_columns("zone")
        posts = geo.turkish_post  # (D,) the districts of Turkish posts, and their neighbours
        self._near_posts = posts | (geo.neighbour_count(posts[None, :])[0] > 0)

    # --- breaches, strikes and their toll ---
    @order(Phase.FIRE)
    def shell(self, by: int, landed: np.ndarray, against: tuple[int, ...]) -> None:
        """Breaches by actor `by`: (R, D) counts landing in each district, booked against the
        district's controller (one of `against`, the sides it can be fired at)."""
        today = self.calendar.today
        today.shelled += landed
        for side in against:
            today.breaches[:, by, side] += (landed * self.territory.held(side)).sum(axis=1)

    @rule("C03", "C05", "assumption")
    @order(Phase.FIRE)
    def bombard(self, strikes: np.ndarray, rows: np.ndarray) -> None:
        """Russian air strikes (counts by district for the given runs; C03): each destroys
        `strike_damage` of the district's rebel fighters, `allied` included (those it kills count
        in `killed` as in a fight; a strike counts among the article's breaches, `breach_toll`,
        but its toll is this one), kills `strike_lethality` civilians where 1,000 people live on
        a km^2 (in proportion to density) and makes `flight_per_strike` of everyone there flee,
        before any front reaches them (C05)."""
        p, land, people, today = self.params, self.territory, self.people, self.calendar.today
        control = land.control[rows]
        today.strikes[rows] += strikes
        for side in REBELS:
            today.struck[rows, side] += (strikes * (control == side)).sum(axis=1)
        rebel = land.rebels(rows)
        damage = np.minimum(p.strike_damage[rows, None] * strikes, 1.0) * rebel
        fighters = land.force[rows] + land.allied[rows]
        people.count_fighters_lost(district_total(fighters * damage), rows)
        land.force[rows] *= 1 - damage
        land.allied[rows] *= 1 - damage
        lethality = p.strike_lethality[rows, None] * strikes
        self.breach_killed[rows] += people.kill_civilians(lethality * people.density(rows), rows)
        flight = 1 - np.exp(-p.flight_per_strike[rows, None] * strikes)
        people.flee(flight, rows)

    @rule("C11", "C05")
    def breach_toll(self) -> None:
        """Today's breaches, air strikes included, are the article's count (C11); the shelling
        and raids among them kill and injure at the rates it gives, the civilians among the dead
        where they landed and the fighters among them from the force of the district's holder
        (an air strike's toll is its own, scaled by density: `bombard`). The zone's people flee
        heavy shelling (C05); the regime's cities, raided by HTS, do not empty."""
        p, s, people = self.params, self.streams, self.people
        day, today = self.calendar.day, self.calendar.today
        n = today.breaches.sum(axis=(1, 2))
        self.breaches += n + today.strikes.sum(axis=1)
        civilians = s.poisson(day, "toll/civilians", n * p.killed_per_breach * p.civilian_share)
        fighters = s.poisson(day, "toll/fighters", n * p.killed_per_breach * (1 - p.civilian_share))
        injured = s.poisson(day, "toll/injured", n * p.injured_per_breach)
        people.injured += injured
        self.breach_injured += injured
        people.killed += fighters
        killed = fighters.astype(float)
        hit = runs_where((civilians > 0) | (fighters > 0))  # most runs' breaches kill nobody today
        if hit.size:
            landed = today.shelled[hit].astype(float)
            weights = landed / np.maximum(district_total(landed), 1.0)[:, None]
            self.territory.lose(fighters[hit, None] * weights / FORCE_UNIT, hit)
            killed[hit] += people.kill_civilians(civilians[hit, None] * weights, hit)
        self.breach_killed += killed
        zone = self._zone  # the zone's people flee shelling; the regime's cities do not empty
        flight = 1 - np.exp(-p.flight_per_shell[:, None] * today.shelled.take(zone, axis=1))
        people.flee(flight, columns=zone)

    # --- ground fighting ---
    @rule("C15", "C05", "assumption")
    @order(Phase.GROUND)
    def fight(
        self,
        attacker: int,
        targets: np.ndarray,
        boost: np.ndarray,
        purpose: str,
        from_outside: np.ndarray | None = None,
        against: tuple[int, ...] | None = None,
    ) -> np.ndarray:
        """Ground fighting for the `targets` ((R, D) bool) for one day; returns what was taken.

        Attack: each attacker district commits `commit_share` of its force, split evenly over
        the targets it borders; `boost` (R,) multiplies its effect (air power, militias: C15).
        `from_outside` ((R, D) or (D,)) adds force from beyond the map (Turkey's army). Defence:
        the district's force, against Damascus the Turkish troops at its post (they watch the
        deal's lines, C13, and take no part in the rebels' fights), the opposition fighters in it
        (`allied`), and `commit_share` of each same-side neighbour's force, split over the
        targets that neighbour borders; the holder's own force counts its `resolve` times
        (`Territory.stand_firm`), and the opposition's fighters under HTS the opposition's, as
        `boost` does for the attack. Each side loses `attrition` x the other's effective force
        (Lanchester's square law); a target falls with daily chance capture_rate x r / (1 + r),
        r = ratio^`capture_steepness`; `garrison_share` of the surviving attack moves in, and
        the surviving defenders fall back to their neighbours of the same holder (lost if there
        are none), the opposition's fighters under HTS with HTS's garrison.
        Fighters' deaths (`People.count_fighters_lost`) and civilians' (`ground_lethality`,
        scaled by the attack and the district's density) count in `killed`. Residents flee
        (C05). Post troops are dug in: they add to the defence but share none of its losses;
        a Damascus attack on a district with a post can hit Turkish soldiers (`post_clash`).
        Only the runs with a target take part: every step works run by run. An attack aimed
        `against` some sides falls only on the targets they still hold when it comes (the
        day's other fighting may have taken some)."""
        if against is not None:
            held = self.territory.held
            targets = targets & np.logical_or.reduce([held(side) for side in against])
        taken = np.zeros_like(targets)
        rows = runs_where(targets.any(axis=1))
        if rows.size == 0:
            return taken
        battle = self._line_up(attacker, targets[rows], rows)
        self._attack(battle, boost[rows][:, None], from_outside)
        self._defend(battle)
        self._losses(battle)
        self._captures(battle, purpose)
        self._aftermath(battle)
        self._toll(battle)
        if attacker == DAMASCUS:
            self._hit_posts(battle, purpose)
        taken[rows] = battle.won
        return taken

    def _line_up(self, attacker: int, targets: np.ndarray, rows: np.ndarray) -> Battle:
        """The battle's arrays as the day's fighting begins, for the runs `rows`."""
        land = self.territory
        force, control = land.force[rows], land.control[rows]
        return Battle(
            attacker=attacker,
            rows=rows,
            targets=targets,
            control=control,
            force=force,
            posts=land.posts[rows] * (attacker == DAMASCUS),  # they face Damascus alone (C13)
            allied=land.allied[rows],
            commit=self.params.commit_share[rows][:, None] * force,
            same=self.geo.same_side(control),  # one side's neighbours, for the sums below
        )

    def _attack(self, b: Battle, boost: np.ndarray, from_outside: np.ndarray | None) -> None:
        """Each attacker district splits what it commits over the targets it borders; force
        from outside the map comes on top, and `boost` multiplies the attack's effect."""
        around = self.geo.neighbour_sum
        bordering = around(b.targets.view(np.uint8)) * (b.control == b.attacker)
        b.sent = np.where(bordering > 0, b.commit / np.maximum(bordering, 1), 0.0)
        outside = 0.0
        if from_outside is not None:
            outside = from_outside[b.rows] if from_outside.ndim == 2 else from_outside
        b.raw_attack = (around(b.sent) + outside) * b.targets
        b.attack = b.raw_attack * boost

    def _defend(self, b: Battle) -> None:
        """Same-side neighbours split what they commit over the targets of their side they
        border; the holder's force counts its `resolve` times, the opposition's fighters under
        HTS the opposition's."""
        around, resolve = self.geo.neighbour_sum, self.territory.resolve[b.rows]
        helping = around(b.targets.view(np.uint8), same=b.same) * ~b.targets
        b.helps = np.where(helping > 0, b.commit / np.maximum(helping, 1), 0.0)
        own = np.take_along_axis(resolve, b.control, axis=1)
        firm = b.force * (own - 1) + b.allied * (resolve[:, OPPOSITION, None] - 1)
        b.present = (b.force + b.posts + b.allied + around(b.helps, same=b.same)) * b.targets
        b.defence = b.present + firm * b.targets

    def _losses(self, b: Battle) -> None:
        """Each side loses `attrition` x the other's effective force (Lanchester's square law),
        at most what it has."""
        attrition = self.params.attrition[b.rows][:, None]
        b.attacker_lost = np.minimum(attrition * b.defence, b.raw_attack)
        b.defender_lost = np.minimum(attrition * b.attack, b.defence)

    def _captures(self, b: Battle, purpose: str) -> None:
        """Which targets fall: the chance of capture, and its draw, only for the districts
        under attack."""
        p, rows = self.params, b.rows
        fought, draws = self.streams.uniform_where(self.calendar.day, purpose, b.targets, rows)
        at = fought // b.targets.shape[1]
        odds = b.attack.ravel()[fought] / np.maximum(b.defence.ravel()[fought], MIN_DEFENCE)
        ratio = odds ** p.capture_steepness[rows][at]
        hazard = p.capture_rate[rows][at] * ratio / (1 + ratio)
        b.won = np.zeros_like(b.targets)
        b.won.ravel()[fought] = draws < hazard

    def _aftermath(self, b: Battle) -> None:
        """Losses and moves fall on each contributing district in proportion to what it sent;
        a garrison moves into each captured district, and its defenders fall back to their
        side's unconquered neighbours (same holder), the opposition's fighters under HTS
        (`allied`) with HTS's garrison."""
        p, land, around = self.params, self.territory, self.geo.neighbour_sum
        same, won = b.same, b.won
        garrison = np.where(
            won, (b.raw_attack - b.attacker_lost) * p.garrison_share[b.rows][:, None], 0.0
        )
        attacker_share = (b.attacker_lost + garrison) / np.maximum(b.raw_attack, TINY)
        defender_share = b.defender_lost / np.maximum(b.defence, TINY)
        force = np.maximum(
            b.force
            - b.sent * around(attacker_share)
            - b.force * defender_share
            - b.helps * around(defender_share, same=same),
            0.0,
        )
        allied = b.allied * (1 - defender_share)
        shelter = around((~won).view(np.uint8), same=same)

        def fall_back(survivors: np.ndarray) -> np.ndarray:
            """What each unconquered district receives of its fallen neighbours' survivors."""
            split = np.where(shelter > 0, survivors / np.maximum(shelter, 1), 0.0)
            return around(split, same=same) * ~won

        survivors, allied_survivors = force * won, allied * won
        b.routed = np.where(shelter > 0, 0.0, survivors + allied_survivors)
        land.force[b.rows] = np.where(won, garrison, force + fall_back(survivors))
        land.allied[b.rows] = np.where(won, 0.0, allied + fall_back(allied_survivors))
        land.capture(won, b.attacker, b.rows)
        self.calendar.today.fought[b.rows] |= b.targets
        attacked = districts_by_holder(b.targets, b.control)
        self.calendar.today.attacked[b.rows, b.attacker] += attacked
        b.defenders_lost = (b.present - b.posts * b.targets) * defender_share  # posts dug in

    def _toll(self, b: Battle) -> None:
        """The fighters lost count as killed and injured; civilians die in proportion to the
        attack and the district's density, and residents flee (C05)."""
        p, people, rows = self.params, self.people, b.rows
        lost = b.attacker_lost + b.defenders_lost + b.routed
        people.count_fighters_lost(district_total(lost), rows)
        density = people.density(rows)
        people.kill_civilians(p.ground_lethality[rows][:, None] * b.attack * density, rows)
        flight = np.where(b.won, p.capture_flight[rows][:, None], p.contest_flight[rows][:, None])
        people.flee(b.targets * flight, rows)

    def _hit_posts(self, b: Battle, purpose: str) -> None:
        """A Damascus attack on a district with a Turkish post hits the post with daily chance
        `post_clash` (`kill_soldiers`): harm to Turkey, not yet a clash between the states
        (that takes Turkey's answer, `retaliate`)."""
        under_fire = (b.posts * b.targets > 0).any(axis=1)
        day, chance = self.calendar.day, self.params.post_clash[b.rows]
        drawn = self.streams.bernoulli(day, f"{purpose}/post", chance, b.rows, where=under_fire)
        self.kill_soldiers(DAMASCUS, b.rows[drawn], f"{purpose}/post")

    @rule("assumption")
    @order(Phase.FIRE)
    def kill_soldiers(self, by: int, rows: np.ndarray, purpose: str) -> None:
        """Fire by actor `by` hits Turkish soldiers in the given runs: Poisson(`soldiers_per_hit`)
        killed each time, counted in `killed` and `soldiers_killed` (assumption: the article
        gives no figure; Turkey's losses in Idlib were counted in tens). The posts keep their
        strength: the dead are replaced."""
        if rows.size == 0:
            return
        day, mean = self.calendar.day, self.params.soldiers_per_hit[rows]
        dead = self.streams.poisson(day, f"{purpose}/soldiers", mean, rows)
        self.calendar.today.soldiers_killed[rows, by] += dead
        self.soldiers_killed[rows] += dead
        self.people.count_dead(dead, rows)

    @rule("assumption")
    @order(Phase.FIRE)
    def retaliate(self, rows: np.ndarray) -> None:
        """Turkey strikes back at Damascus's forces in and next to the districts of its posts,
        in answer to its soldiers killed: a clash between the two states with losses on both
        sides (ladder level 6). They lose `retaliation_damage` of their force, the dead counted
        in `killed` (assumption: the article says nothing of the posts or of strikes between
        the two states)."""
        self._strike_damascus(rows, self._near_posts)

    @order(Phase.FIRE)
    @rule("C19", "assumption")
    def meet_in_north_east(self, rows: np.ndarray, where: np.ndarray) -> None:
        """Turkey's operation meets Damascus's forces in the north-east (C19: Moscow wants the
        area back under Damascus): a clash between the two states with losses on both sides
        (level 6). Turkish soldiers die (`kill_soldiers`) and Damascus's forces in the
        (len(rows), D) `where` districts lose `retaliation_damage` of their force
        (assumption)."""
        self.kill_soldiers(DAMASCUS, rows, "turkey/ne-contact")
        self._strike_damascus(rows, where)

    def _strike_damascus(self, rows: np.ndarray, where: np.ndarray) -> None:
        """A clash of Turkey with Damascus in the given runs: Damascus's forces in the
        districts `where` ((D,), or (len(rows), D)) lose `retaliation_damage` of their force,
        the dead counted in `killed`."""
        self.relations.clash(TURKEY, DAMASCUS, rows)
        if rows.size == 0:
            return
        land = self.territory
        hit = where & land.held(DAMASCUS)[rows]
        lost = land.force[rows] * hit * self.params.retaliation_damage[rows, None]
        land.force[rows] -= lost
        self.people.count_fighters_lost(district_total(lost), rows)


def districts_by_holder(mask: np.ndarray, control: np.ndarray) -> np.ndarray:
    """(n, 7): how many districts of the (n, D) `mask` each actor holds, by the (n, D)
    `control`, run by run (one count of run x actor codes: a third of the time of a sum per
    actor for 2,000 runs, a fifth for one; measured)."""
    runs, actors = len(mask), len(ACTORS)
    codes = (control + actors * np.arange(runs)[:, None])[mask]
    return np.bincount(codes, minlength=runs * actors).reshape(runs, actors)
