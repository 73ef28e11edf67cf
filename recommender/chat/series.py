"""Questions about a film's series: "is there a sequel to #1?", "does Alien have sequels?", "is #3 part of a
series?". They were answered "I can't tell that from titles, years and genres alone", but titles tell it: the
films whose title continues the film's own ("Jaws" -> "Jaws 2", "Jaws 3-D"), or whose title it continues."""

from __future__ import annotations

import re

from recommender.chat.markdown import escape
from recommender.chat.state import Question, Update

SERIES_QUESTION = re.compile(r"\b(?:sequels?|prequels?|follow[\s-]?ups?|part\s+(?:two|2|ii)|franchise|"
                             r"(?:a|the)\s+(?:film\s+|movie\s+)?series|trilogy|second\s+(?:one|part|film|movie))\b", re.I)


def ask_about_series(update: Update, text: str) -> None:
    """A question about one film that asks about its sequels becomes a "series" question."""
    question = update.question
    if question is not None and question.ask in ("about", "fit", "why") and SERIES_QUESTION.search(text):
        question.ask, question.unheld, question.genres, question.quality = "series", "", [], False


def series_answer(question: Question, titles) -> str:
    """The other films of the item's series in the catalogue, by title, oldest first; or that none is found."""
    catalog = titles.catalog
    item = question.item
    film = f"**{escape(catalog[item].title)}**" + (f" ({catalog[item].year})" if catalog[item].year else "")
    name = f"#{question.position} is {film}" if question.position else film
    others = [i for i in titles.family(item) if i != item]
    if not others:
        return (f"{name}: I know no sequel or earlier film of it by title, and I have no other data on film series "
                "(a sequel with a different title would not show).")
    others.sort(key=lambda i: (catalog[i].year or 0, i))
    films = [f"**{escape(catalog[i].title)}** ({catalog[i].year})" for i in others]
    listed = f"{', '.join(films[:-1])} and {films[-1]}" if len(films) > 1 else films[0]
    return (f"{name}: by title, its series here also has {listed}. Say *like {escape(catalog[item].title)}* for "
            "films like it.")
