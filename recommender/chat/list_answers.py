"""Answers to questions about the whole list on screen, from the catalogue and the ratings: "which of these is
the funniest?", "which one is the oldest?", "which has the best ratings?", "which ones are from the 90s?"."""

from __future__ import annotations

import re

from recommender.chat.answers import FEW_RATINGS, article, rating_sentence
from recommender.chat.markdown import escape
from recommender.chat.state import Question
from recommender.data.types import Catalog


def best_rated_of(fitting: list[tuple[int, int]], catalog: Catalog, standings: dict | None, what: str,
                  worst: bool = False) -> str:
    """"By the ratings here, #4 **The Silence of the Lambs** is the best rated of these: …", of the `fitting`
    (position, item) pairs of the list (its Bayesian average ranks it above the others; films with too few
    ratings to judge are left aside); with `worst`, the lowest rated ("what's the worst one?")."""
    judged = [(standings[i].rated_above, p, i) for p, i in fitting
              if standings and standings.get(i) is not None and standings[i].count >= FEW_RATINGS]
    best = "lowest" if worst else "best"
    if not judged:
        return f"I have too few ratings of these films to say which is rated {best}."
    _, position, item = (min if worst else max)(judged, key=lambda x: (x[0], -x[1]))
    return (f"By the ratings here, #{position} **{escape(catalog[item].title)}** is the {best} rated of {what}. "
            f"{rating_sentence(standings[item])}")


def pick_of(fitting: list[tuple[int, int]], catalog: Catalog, explanations: dict[int, str], kind: str,
            chosen_among: bool = False) -> str:
    """"which one would you pick?": the first of the `fitting` (position, item) pairs, since the list is in
    order of fit, with its card's explanation (`explanations`: item -> text) as the reason; `chosen_among`: the
    pairs are the ones the question named ("#2 or #5?")."""
    position, item = fitting[0]
    among = (f"Of {', '.join(f'#{p}' for p, _ in fitting[:-1])} and #{fitting[-1][0]}, my" if chosen_among
             else f"Of the {kind} films listed, my" if kind else "My")
    fit = "higher on the list, so the better fit for you" if chosen_among else "the best fit I found for you"
    why = explanations.get(item, "")
    return (f"{among} pick is #{position} **{escape(catalog[item].title)}** ({catalog[item].year}), {fit}."
            f"{' ' + why if why else ''}")


def answer_which(question: Question, listed: list[int], catalog: Catalog, standings: dict | None = None,
                 explanations: dict[int, str] | None = None) -> str:
    """"which of these is the funniest?": the listed items with every genre asked about, from the catalogue;
    "which one is the oldest?": by year; "which has the best ratings?": from `standings` (item -> its
    `recommender.retrieval.ratings.Standing`; None: no ratings), among the genre asked about when there is one;
    "which one would you pick?": the first (`explanations`: item -> its card's text, the reason given)."""
    wanted = " and ".join(question.genres)
    fitting = [(p, i) for p, i in enumerate(listed, 1) if set(question.genres) <= set(catalog[i].genres)]
    none_fit = f"None of these is {article(wanted)} {wanted} film; ask for {wanted} to get a list of them."
    if question.order == "pick":
        if question.among:  # "#2 or #5?": the one higher on the list
            fitting = [(p, i) for p, i in enumerate(listed, 1) if i in question.among]
        return pick_of(fitting, catalog, explanations or {}, wanted, bool(question.among)) if fitting else none_fit
    if question.order in ("oldest_first", "newest_first", "best_first"):
        return sorted_list(question.order, listed, catalog, standings)
    if question.order in ("best", "worst"):  # "which is the highest rated comedy?": among the comedies listed
        if question.genres and not fitting:
            return none_fit
        return best_rated_of(fitting, catalog, standings, f"the {wanted} ones" if question.genres else "these",
                             worst=question.order == "worst")
    dated = [(catalog[i].year, p, i) for p, i in enumerate(listed, 1) if catalog[i].year]
    if question.order and dated:
        year = (min if question.order == "oldest" else max)(y for y, _, _ in dated)
        tied = [f"#{p} **{escape(catalog[i].title)}**" for y, p, i in dated if y == year]  # "#5 and #8, both 1997"
        if len(tied) == 1:
            return f"The {question.order} is {tied[0]} ({year})."
        return f"The {question.order} are {', '.join(tied[:-1])} and {tied[-1]}, {'both' if len(tied) == 2 else 'all'} from {year}."
    if question.min_year is not None or question.max_year is not None:  # "which ones are from the 90s?"
        return _in_years(question, fitting, catalog)
    if not question.genres:
        return ("I can't tell that from titles, years and genres alone. The list is in order of how well "
                "each fits what you asked for, #1 first.")
    if not fitting:
        return none_fit
    fits = [f"#{p} **{escape(catalog[i].title)}** ({catalog[i].year})" for p, i in fitting]
    if len(fits) == len(listed) > 1:  # "which of these is funniest" of ten comedies: no "the others are not"
        return (f"All {len(listed)} are {wanted}, so genres cannot tell them apart; the list is in order of how "
                "well each fits what you asked for, #1 first.")
    verb = "is" if len(fits) == 1 else "are"
    return f"{', '.join(fits[:-1]) + ' and ' if len(fits) > 1 else ''}{fits[-1]} {verb} {wanted}; the others are not."


def sorted_list(order: str, listed: list[int], catalog: Catalog, standings: dict | None) -> str:
    """"sort them by year": the listed films oldest first ("newest_first": newest first; "best_first": by the
    ratings' Bayesian average, films with too few ratings to judge last), one line each, with what sorted them."""
    entries = list(enumerate(listed, 1))
    if order == "best_first":
        judged = {i: standings[i] for _, i in entries
                  if standings and standings.get(i) is not None and standings[i].count >= FEW_RATINGS}
        entries.sort(key=lambda e: -judged[e[1]].rated_above if e[1] in judged else 1.0)
        detail = {i: f"{judged[i].mean:.1f}/5" if i in judged else "too few ratings" for _, i in entries}
        head = "Best rated first, by the ratings here"
    else:
        newest = order == "newest_first"
        # stable: ties keep the list's order; a film with no year comes last either way (it came first oldest-first)
        entries.sort(key=lambda e: (not catalog[e[1]].year, (catalog[e[1]].year or 0) * (-1 if newest else 1)))
        detail = {i: str(catalog[i].year or "year unknown") for _, i in entries}
        head = "Newest first" if newest else "Oldest first"
    lines = "\n".join(f"- #{p} **{escape(catalog[i].title)}** ({detail[i]})" for p, i in entries)
    return f"{head}:\n{lines}\n\nThe list on the right stays in order of fit, so the numbers are the same."


def _in_years(question: Question, fitting: list[tuple[int, int]], catalog: Catalog) -> str:
    """The listed films (of the genres asked about) from the years asked about ("I can't tell that" was the answer)."""
    low, high = question.min_year, question.max_year
    span = f"{low}–{high}" if low and high and low != high else f"{low}" if low == high else \
        f"after {low - 1}" if low else f"before {high + 1}"
    kind = f"{' and '.join(question.genres)} films " if question.genres else ""
    inside = [f"#{p} **{escape(catalog[i].title)}** ({catalog[i].year})" for p, i in fitting
              if catalog[i].year and (low or 0) <= catalog[i].year <= (high or 9999)]
    if not inside:
        return f"None of these {kind}is from {span}."
    if len(inside) == len(fitting) > 1:
        return f"All {len(inside)} are from {span}."
    return f"From {span}: {', '.join(inside)}."


def pointed_by_answer(question: Question, answer: str, listed: list[int]) -> int | None:
    """The film "that one" means after an answer: the one asked about, or for a question about the whole list
    the one listed film the answer names, if it names one ("which is the newest?", then "I've seen that one"
    marked the film the model guessed the question was about)."""
    if question.ask not in ("which", "list", "seen"):
        return question.item
    positions = {int(p) for p in re.findall(r"#(\d+) \*\*", answer)}
    if len(positions) != 1 or not 1 <= (position := positions.pop()) <= len(listed):
        return None
    return listed[position - 1]


def better_rated(items: list[int], catalog: Catalog, standing) -> str:
    """"what's better, Heat or Fargo?": the film the ratings here put higher (`standing`: item -> its Standing, or
    None), with both averages; too few ratings of either to judge say so."""
    films = [f"**{escape(catalog[i].title)}** ({catalog[i].year})" for i in items]
    judged = [standing(i) for i in items]
    if any(s is None or s.count < FEW_RATINGS for s in judged):
        return f"I have too few ratings of {films[0]} or {films[1]} to say which people here liked more."
    (high, low) = (0, 1) if judged[0].rated_above >= judged[1].rated_above else (1, 0)
    said = lambda k: f"{judged[k].mean:.1f}/5 from {judged[k].count} people"  # noqa: E731
    if abs(judged[0].mean - judged[1].mean) < 0.05:
        return (f"People here rate them about the same: {films[0]} {said(0)}, {films[1]} {said(1)}. I can't judge "
                "films myself; the rest is taste.")
    return (f"By the ratings here, {films[high]} is rated higher: {said(high)}, against {said(low)} for {films[low]}. "
            "I can't judge films myself; the rest is taste.")


def seen_answer(rated: int) -> str:
    """"which of these have I not seen?": the list never holds a film the chat knows the person has seen (`rated`:
    the films the known user rated in the data set, 0 for a new user)."""
    rated_here = f"the {rated:,} films you rated here and " if rated else ""
    return (f"As far as I know, you haven't seen any of these: I leave out {rated_here}every film you mark as seen "
            "(the *Seen* button, or *I've seen #2*).")
