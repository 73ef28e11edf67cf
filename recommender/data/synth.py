"""Synthetic data sets at any size, for benchmarks and tests only: never for quality claims.

`recommender data synth --items N --users M --interactions K --seed S --out DIR` writes the generic format
(docs/data-formats.md). What makes it look like real logs, so that scale benchmarks exercise the same
shapes as real data:

- popularity skew: item popularity follows a Zipf law over a random order of the catalogue;
- sequential structure: each item has a few successors in its theme, and a user's next item is one of
  the current item's successors with `follow_probability` (the transitions channel has signal);
- taste: fresh picks come from the user's home theme with `taste_probability`, else from everything;
- user activity: history lengths are log-normal (a few heavy users, many light ones), at least 3 each;
- item text: a title, a year, 1-3 genres and a one-sentence plot made from genre-specific words.

Every (user, item) pair occurs at most once, and the interaction count is exactly K.
Generation is vectorised across users; 20M interactions take about a minute, plus writing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recommender.config import check, option
from recommender.data.loaders import ML100K_GENRES

GENRES = tuple(g for g in ML100K_GENRES if g != "unknown")
ADJECTIVES = ("Silent Broken Last Hidden Golden Dark Wild Lost Crimson Frozen Electric Midnight Burning Distant "
              "Secret Quiet Savage Hollow Iron Paper Glass Velvet Bitter Sweet Little Endless Northern").split()
NOUNS = ("River Empire Garden Road Kingdom Signal Harbor Mirror Storm Orchard Engine Island Frontier Circus "
         "Letter Horizon Canyon Station Witness Season Machine Promise Lantern Tide Border Summer").split()
SUBJECTS = {
    "Action": "a mercenary|an ex-soldier|a getaway driver", "Adventure": "an explorer|a young sailor|a treasure hunter",
    "Animation": "a talking fox|a toy robot|a lost dragon", "Children's": "a runaway kid|a brave puppy|a schoolgirl",
    "Comedy": "a clumsy waiter|a rival chef|a failed magician", "Crime": "a detective|a heist crew|a corrupt cop",
    "Documentary": "a filmmaker|a scientist|a village choir", "Drama": "a widowed farmer|a young teacher|an old boxer",
    "Fantasy": "a wizard's apprentice|an elf queen|a cursed knight", "Film-Noir": "a private eye|a femme fatale|a drifter",
    "Horror": "a babysitter|a priest|a group of campers", "Musical": "a chorus girl|a street band|a singing nun",
    "Mystery": "an amateur sleuth|a novelist|a lighthouse keeper", "Romance": "a stranger|a florist|a pen pal",
    "Sci-Fi": "a starship crew|an android|a time traveller", "Thriller": "a journalist|a witness|a hacker",
    "War": "a platoon|a resistance fighter|a field nurse", "Western": "a gunslinger|a sheriff|a cattle driver",
}
PLOTS = ("must {verb} before {deadline}", "tries to {verb} while {complication}", "sets out to {verb}")
VERBS = ("save a small town", "find a missing sister", "pull off one last job", "win back an old love",
         "escape a haunted house", "stop a killer", "cross a desert", "survive the winter", "uncover a conspiracy")
DEADLINES = ("dawn", "the wedding", "the war ends", "the storm hits", "the money runs out")
COMPLICATIONS = ("hiding a secret", "being hunted", "falling in love", "losing their memory", "running for mayor")


@dataclass
class SynthConfig:
    items: int = option(2_000, "Catalogue size.")
    users: int = option(500, "Number of users.")
    interactions: int = option(50_000, "Exact number of (user, item) interactions; each pair occurs at most once.")
    seed: int = option(0, "Random seed: the same seed and sizes give the same files.")
    popularity_exponent: float = option(0.8, "Zipf exponent of item popularity.")
    themes: int = option(0, "Item themes (clusters with shared successors); 0 = one per 200 items, at least 18.")
    successors: int = option(4, "Successors per item: where a user who follows the sequence goes next.")
    follow_probability: float = option(0.6, "Chance that the next item is a successor of the current one.")
    taste_probability: float = option(0.6, "Chance that a fresh pick comes from the user's home theme.")
    length_sigma: float = option(1.0, "Sigma of the log-normal history length (larger: heavier users).")

    def __post_init__(self):
        check(self.items >= 10, "items must be >= 10")
        check(self.users >= 1, "users must be >= 1")
        check(self.interactions >= 3 * self.users, "interactions must be >= 3 x users (at least 3 per user)")
        check(self.interactions <= self.users * self.items // 4,
              "interactions must be <= users x items / 4 (each pair occurs at most once)")
        check(self.popularity_exponent > 0, "popularity_exponent must be > 0")
        check(self.themes >= 0, "themes must be >= 0")
        check(self.successors >= 1, "successors must be >= 1")
        for name in ("follow_probability", "taste_probability"):
            check(0 <= getattr(self, name) <= 1, f"{name} must be in [0, 1]")
        check(self.length_sigma >= 0, "length_sigma must be >= 0")


@dataclass
class SyntheticData:
    """Columns as arrays (users and items as 0-based indices), sorted by user then time."""

    titles: list[str]
    years: np.ndarray
    genres: list[tuple[str, ...]]
    texts: list[str]
    users: np.ndarray  # int32 user index
    items: np.ndarray  # int32 item index
    ratings: np.ndarray  # int8 1..5
    timestamps: np.ndarray  # int64 unix seconds

    def write(self, out: str | Path) -> Path:
        """items.csv and interactions.csv in `out` (ids: items 1..N, users u1..uM)."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        with open(out / "items.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["item_id", "title", "year", "genres", "text"])
            for i, (title, year, genres, text) in enumerate(zip(self.titles, self.years, self.genres, self.texts)):
                writer.writerow([i + 1, title, int(year), "|".join(genres), text])
        with open(out / "interactions.csv", "w", encoding="utf-8") as f:
            f.write("user_id,item_id,rating,timestamp\n")
            for start in range(0, len(self.users), 1_000_000):  # plain joins: csv.writer is 3x slower here
                rows = zip(self.users[start:start + 1_000_000].tolist(), self.items[start:start + 1_000_000].tolist(),
                           self.ratings[start:start + 1_000_000].tolist(),
                           self.timestamps[start:start + 1_000_000].tolist())
                f.write("".join(f"u{u + 1},{i + 1},{r},{t}\n" for u, i, r, t in rows))
        return out


def _sample(cdf_keys: np.ndarray, order: np.ndarray, offsets: np.ndarray, rng) -> np.ndarray:
    """Popularity-weighted draws inside groups: group g's cdf lives in (g, g + 1] of `cdf_keys`."""
    return order[np.minimum(np.searchsorted(cdf_keys, offsets + rng.random(len(offsets))), len(order) - 1)]


def _catalogue(config: SynthConfig, rng) -> tuple[np.ndarray, np.ndarray, list[tuple[str, ...]]]:
    """Popularity weights, theme of each item, and genres (the theme's genre first)."""
    n = config.items
    themes = config.themes or max(len(GENRES), n // 200)
    popularity = 1.0 / (rng.permutation(n) + 1.0) ** config.popularity_exponent
    theme = rng.integers(0, themes, n)
    theme_genre = rng.integers(0, len(GENRES), themes)
    extra = rng.integers(0, len(GENRES), (n, 2))
    extra_count = rng.choice(3, size=n, p=[0.35, 0.45, 0.2])
    genres = [tuple(dict.fromkeys(GENRES[g] for g in [theme_genre[theme[i]], *extra[i, :extra_count[i]]]))
              for i in range(n)]
    return popularity, theme, genres


def _item_text(config: SynthConfig, genres, rng) -> tuple[list[str], np.ndarray, list[str]]:
    n = config.items
    adjective, noun = rng.integers(0, len(ADJECTIVES), n), rng.integers(0, len(NOUNS), n)
    sequel = rng.integers(0, 12, n)
    titles = [f"The {ADJECTIVES[a]} {NOUNS[b]}" + (f" {s}" if s >= 2 and s <= 4 else "")
              for a, b, s in zip(adjective, noun, sequel)]
    years = np.clip(np.round(2020 - rng.gamma(2.0, 9.0, n)), 1920, 2024).astype(np.int32)
    picks = rng.integers(0, 1 << 30, (n, 4))
    texts = []
    for i in range(n):
        subjects = SUBJECTS[genres[i][0]].split("|")
        plot = PLOTS[picks[i, 0] % len(PLOTS)].format(
            verb=VERBS[picks[i, 1] % len(VERBS)], deadline=DEADLINES[picks[i, 2] % len(DEADLINES)],
            complication=COMPLICATIONS[picks[i, 2] % len(COMPLICATIONS)])
        texts.append(f"{subjects[picks[i, 3] % len(subjects)].capitalize()} {plot}.")
    return titles, years, texts


def _lengths(config: SynthConfig, rng) -> np.ndarray:
    """Log-normal history lengths, each in [3, items / 4], summing to exactly `interactions`."""
    cap = max(3, config.items // 4)
    raw = rng.lognormal(0.0, config.length_sigma, config.users)
    lengths = np.clip(np.round(raw / raw.sum() * config.interactions), 3, cap).astype(np.int64)
    while (gap := config.interactions - int(lengths.sum())) != 0:
        room = lengths < cap if gap > 0 else lengths > 3
        chosen = rng.choice(np.flatnonzero(room), size=min(abs(gap), int(room.sum())), replace=False)
        lengths[chosen] += 1 if gap > 0 else -1
    return lengths


def synthesize(config: SynthConfig) -> SyntheticData:
    rng = np.random.default_rng(config.seed)
    popularity, theme, genres = _catalogue(config, rng)
    titles, years, texts = _item_text(config, genres, rng)
    # popularity cdfs: globally, and per theme (theme t's items sorted together, cdf shifted into (t, t+1])
    global_order = np.arange(config.items)
    global_cdf = np.cumsum(popularity) / popularity.sum()
    by_theme = np.lexsort((np.arange(config.items), theme))
    theme_sorted = theme[by_theme]
    theme_total = np.bincount(theme_sorted, weights=popularity[by_theme])
    cum = np.cumsum(popularity[by_theme])
    start_of_theme = np.concatenate([[0.0], np.cumsum(theme_total)])[theme_sorted]
    theme_cdf = theme_sorted + (cum - start_of_theme) / np.maximum(theme_total[theme_sorted], 1e-12)
    successors = _sample(theme_cdf, by_theme, np.repeat(theme, config.successors).astype(float), rng)
    successors = successors.reshape(config.items, config.successors)

    def fresh(home: np.ndarray) -> np.ndarray:
        in_theme = rng.random(len(home)) < config.taste_probability
        picked = _sample(global_cdf, global_order, np.zeros(len(home)), rng)
        picked[in_theme] = _sample(theme_cdf, by_theme, home[in_theme].astype(float), rng)
        return picked

    lengths = _lengths(config, rng)
    home = theme[_sample(global_cdf, global_order, np.zeros(config.users), rng)]
    users, items, steps = [], [], []
    current = fresh(home)
    for step in range(int(lengths.max())):
        active = np.flatnonzero(lengths > step)
        if step:
            follow = rng.random(len(active)) < config.follow_probability
            nxt = fresh(home[active])
            chosen = successors[current[active[follow]], rng.integers(0, config.successors, int(follow.sum()))]
            nxt[follow] = chosen
            current[active] = nxt
        users.append(active.astype(np.int32))
        items.append(current[active].astype(np.int32))
        steps.append(np.full(len(active), step, dtype=np.float64))
    users, items, steps = np.concatenate(users), np.concatenate(items), np.concatenate(steps)
    users, items, steps = _unique_pairs(config, users, items, steps, lengths, global_cdf, rng)
    order = np.lexsort((steps, users))
    users, items = users[order], items[order]
    return SyntheticData(titles, years, genres, texts, users, items, _ratings(users, items, rng),
                         _timestamps(users, rng))


def _unique_pairs(config, users, items, steps, lengths, global_cdf, rng):
    """Drop repeated (user, item) pairs, then top up each history with popular items until its length is
    the drawn one again (a few rounds: each round's repeats are rarer)."""
    while True:
        _, first = np.unique(users.astype(np.int64) * config.items + items, return_index=True)
        keep = np.zeros(len(users), dtype=bool)
        keep[first] = True
        users, items, steps = users[keep], items[keep], steps[keep]
        missing = config.interactions - len(users)
        if missing == 0:
            return users, items, steps
        # each user gets back exactly the slots their repeats cost them, so lengths stay as drawn
        short = lengths - np.bincount(users, minlength=config.users)
        who = np.repeat(np.arange(config.users, dtype=np.int32), short)
        extra = _sample(global_cdf, np.arange(config.items), np.zeros(missing), rng).astype(np.int32)
        users, items = np.concatenate([users, who]), np.concatenate([items, extra])
        # at a random point of the history, not its end: appended top-ups would make every user's last
        # (test) items popular picks and hide the sequential structure
        steps = np.concatenate([steps, rng.uniform(0, lengths[who])])


def _ratings(users: np.ndarray, items: np.ndarray, rng) -> np.ndarray:
    """1..5 from an item quality, a user bias and noise (mean about 3.6, as in MovieLens)."""
    quality = rng.normal(3.6, 0.5, int(items.max()) + 1)
    bias = rng.normal(0.0, 0.4, int(users.max()) + 1)
    raw = quality[items] + bias[users] + rng.normal(0.0, 0.9, len(items))
    return np.clip(np.round(raw), 1, 5).astype(np.int8)


def _timestamps(users: np.ndarray, rng) -> np.ndarray:
    """Per user: a start between 2000 and 2020, then gaps of minutes to weeks (users sorted, time order)."""
    starts = rng.integers(946_684_800, 1_577_836_800, int(users.max()) + 1)
    gaps = np.ceil(rng.exponential(86_400.0, len(users))).astype(np.int64)
    cumulative = np.cumsum(gaps)
    first = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    before = np.repeat(cumulative[first] - gaps[first], np.diff(np.r_[first, len(users)]))
    return starts[users] + cumulative - before
