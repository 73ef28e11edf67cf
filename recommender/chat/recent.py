"""The newest films: "recent movies", "new releases" and "the latest movies you have" said "I can't match
“recent movies”" over Star Wars (1977), though every film has a year. They ask for the catalogue's last years
(the catalogue ends long before today, and the reply says when); "modern films" for its last decade.

"more recent" and "newer ones" compare with the list on screen (`year_phrases.NEWER`), and "something new"
asks for anything not seen yet: neither is read here.
"""

from __future__ import annotations

import re

from recommender.chat.cue_words import FILLER
from recommender.chat.state import DialogueState, Update

RECENT_YEARS = 2  # "recent": the catalogue's newest year and the two before it
RECENT = re.compile(r"(?<!more )(?<!less )(?<!most )\b(?:(?:most\s+)?recent|latest|newest|new\s+releases?|"
                    r"brand[\s-]new|current|modern|contemporary|this\s+decade|these\s+days|nowadays|trending|"
                    r"(?<=popular )(?:right\s+)?now|(?<=hot )(?:right\s+)?now|(?<=popular )at\s+the\s+moment|"
                    # "something from this decade" said "I can't match “from this decade”"
                    r"(?:the\s+)?(?:last|past)\s+(?:few\s+|couple(?:\s+of)?\s+|two\s+|three\s+|[23]\s+)?years)\b"
                    r"(?!\s+(?:than|to|one|ones|list|picks?)\b)", re.I)
ABOUT_FILMS = re.compile(r"\b(?:watch\w*|movies?|films?|flicks?|cinema)\b", re.I)
_MODERN = ("modern", "contemporary", "this decade")


def ask_for_recent(update: Update, state: DialogueState, text: str, latest: int | None) -> None:
    """"recent movies": from `latest` - RECENT_YEARS on ("modern": from the decade of `latest`), unless the
    message gives years of its own; the words leave what the chat could not match."""
    found = RECENT.search(text)
    films = update.off_topic and ABOUT_FILMS.search(text)  # "what are people watching these days?": off topic, said the model
    if (found is None or latest is None or update.question is not None or (update.off_topic and not films)
            or update.min_year is not None or update.max_year is not None):
        return
    update.off_topic = False
    said = found.group(0).lower()
    modern = re.sub(r"\s+", " ", said) in _MODERN
    update.min_year = latest // 10 * 10 if modern else latest - RECENT_YEARS
    update.new_request = update.new_request or not state.has_request
    update.missing = [(kind, words) for kind, words in update.missing if not _only_recent_words(words)]
    if update.query and _only_recent_words(update.query):
        update.query = None
    update.notes.append(f"My catalogue ends in {latest}, so for “{found.group(0)}” I kept to films from "
                        f"{update.min_year} on.")


def _only_recent_words(words: str) -> bool:
    """Whether `words` say nothing but the wish for new films ("recent movies", "the latest movies you have")."""
    rest = RECENT.sub(" ", words.lower()).replace("you have", " ").replace("you've got", " ")
    return all(w in FILLER for w in re.findall(r"[\w']+", rest))
