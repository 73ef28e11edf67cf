"""Christmas films: "a christmas movie" listed the most-watched films (Scream among them) under "I can't match
“christmas movie”". The catalogue has no holiday data, but its Christmas films are called so: The Santa Clause,
The Nightmare Before Christmas, A Christmas Carol, Jingle All the Way. So a request for Christmas films looks
for the holiday's words in titles, and the reply says that this is what it did.

Only here do title words stand for what a film is about: a holiday names its films, where "night" or "good" name
nothing ("a romantic movie for date night" once listed Twelfth Night).
"""

from __future__ import annotations

import re

from recommender.chat.state import Update

CHRISTMAS = re.compile(r"(?<!\bno )(?<!\bnot )(?<!\bnothing )(?<!\bwithout )"
                       r"\b(christmas(?:sy|y)?|x-?mas|yuletide|festive)\b", re.I)
TITLE_WORDS = "christmas santa jingle"  # what the catalogue's Christmas films are called
NOTE = "I have no holiday data, so for “{said}” I looked for Christmas words in titles (Christmas, Santa, Jingle)."


def ask_for_christmas(update: Update, text: str) -> None:
    """"a christmas movie", "something festive": the request's text is the holiday's title words, and the
    words are no data the catalogue lacks ("I can't match “christmas movie”")."""
    asked = CHRISTMAS.search(text)
    if asked is None or update.question is not None:
        return
    if update.off_topic:  # "it's almost xmas, any ideas?": the model may read small talk
        update.off_topic, update.new_request = False, True
    said = asked.group(1).lower()
    update.query = TITLE_WORDS
    update.missing = [(kind, words) for kind, words in update.missing if said not in words.lower()]
    update.problems = [p for p in update.problems if said not in p.lower()]
    update.notes.append(NOTE.format(said=said))


def few_with_holiday_words(query: str | None, rows) -> str:
    """"Only 5 of these have Christmas words in their titles …": said when a list for Christmas films goes on
    with others ("anything else?" after the Christmas films listed Tales From the Crypt unexplained)."""
    if query != TITLE_WORDS or not rows:
        return ""
    words = set(TITLE_WORDS.split())
    matching = sum(bool(words & set(re.findall(r"[a-z]+", row.title.lower()))) for row in rows)
    if matching == len(rows):
        return ""
    if not matching:
        return "None of these has Christmas words in its title: they are the closest films I found."
    return (f"Only {matching} of these {'has' if matching == 1 else 'have'} Christmas words in the title; the others "
            "are the closest films I found.")
