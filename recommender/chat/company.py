"""Words about who watches: "with my dad", "something my grandma would enjoy", "with my girlfriend tonight".

They are no part of a film, so they are never quoted as data the catalogue lacks ("I can't match “my
girlfriend tonight”" was the reply to "what should i watch with my girlfriend tonight"). When they are all
a message asks, the reply says what would narrow the list, since nothing in the catalogue tells what a
grandmother or a date would enjoy.
"""

from __future__ import annotations

import re

from recommender.chat.phrases import kids_away
from recommender.chat.state import DialogueState, Update, exclusion_note
from recommender.chat.title_spans import OWN_TASTE
from recommender.chat.year_phrases import AGE, find_year_filters

# "my 8 year old", "our six-year-olds": a child (a teenager is no Children's audience)
_CHILD_AGE = (r"(?:[1-9]|1[0-2]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)[\s-]*(?:years?|yrs?)"
              r"[\s-]*olds?")
_PEOPLE = (rf"{_CHILD_AGE}|dad|mom|mum|father|mother|wife|husband|partner|girlfriend|boyfriend|kids?|children|son|daughter|family|"
           r"friends?|parents|grandma|grandpa|grandparents|brother|sister|date|roommates?|bf|gf|hubby|wifey|bestie|"
           r"bff|mates?|buddies|pals?")
COMPANY = re.compile(
    r"^\W*(?:(?:a|an|some)\s+)?(?:(?:movies?|films?|something|anything)\s+)?"  # the model's "movie my dad"
    r"(?:(?:what\s+(?:should|can|could)\s+(?:i|we)\s+)?(?:to\s+)?(?:watch|see)\s+)?(?:(?:with|for)\s+)?"
    rf"(?:me\s+and\s+)?(?:my|our|the)\s+(?:\w+\s+)?(?:{_PEOPLE})(?:\s+and\s+(?:me|i))?"
    r"(?:\s+(?:would|will|might|could|can|'d)\s+(?:enjoy|like|love|watch|appreciate|sit through))?"
    r"(?:\W+(?:they'?re|they\s+are|he'?s|he\s+is|she'?s|she\s+is)(?:\s+in\s+(?:their|his|her)\b.*)?)?"  # "…, they're in"
    r"(?:\s+(?:tonight|today|later|tomorrow|this\s+(?:weekend|evening|afternoon|morning)))?\W*$", re.I)
# Groups named without "my" ("for teenage boys", "something for the boys tonight"): "Boys" and "Boys, Les" are
# films, so the chat asked "Which “the boys” did you mean?". A "girls night" is a kind of film (Romance).
_GROUPS = r"boys|girls|guys|lads|ladies|teens|teenagers|tweens|adults|grown-?ups"  # "family" is Children's
AUDIENCE = re.compile(
    rf"\b(?:with|for)\s+(?:(?:the|some|a\s+bunch\s+of|a\s+group\s+of)\s+)?(?:\w+\s+)?(?:{_GROUPS})\b(?!'?\s*nights?\b)", re.I)
_AUDIENCE_ONLY = re.compile(
    r"^\W*(?:(?:a|an|some)\s+)?(?:(?:good|fun|nice)\s+)?(?:movies?|films?|something|anything)?\s*(?:to\s+watch\s+)?"
    rf"{AUDIENCE.pattern}(?:\s+(?:tonight|today|later|tomorrow|this\s+(?:weekend|evening|afternoon|morning)))?\W*$", re.I)
_NOT_WATCHING = r"(?<!broke up )(?<!broken up )(?<!split up )(?<!fight )(?<!fought )(?<!argument )(?<!arguing )"
_WOULD_ENJOY = r"\s+(?:would|will|might|could|can|'d)\s+(?:enjoy|like|love)\b"  # "my grandma would enjoy"
WATCHING_WITH = re.compile(rf"{_NOT_WATCHING}\b(?:with|for)\s+(?:me\s+and\s+)?(?:my|our)\s+(?:\w+\s+)?(?:{_PEOPLE})\b"
                           rf"|{AUDIENCE.pattern}|\bmy\s+(?:\w+\s+)?(?:{_PEOPLE}){_WOULD_ENJOY}", re.I)
_CHILDREN = rf"(?:kids?|children|little ones|toddlers?|grandkids|grandchildren|{_CHILD_AGE})"
FOR_THE_KIDS = re.compile(rf"(?<!not )(?<!isn't )\b(?:with|for)\s+(?:my|our|the)\s+(?:\w+\s+)?{_CHILDREN}\b"
                          rf"|\b(?:my|our)\s+(?:\w+\s+)?{_CHILDREN}{_WOULD_ENJOY}", re.I)
HINT = ("I can't tell what they would enjoy from titles, years and genres alone: name a genre or a film they like, "
        "and I'll narrow these down.")


# the occasion around who watches: "we're having a movie night with the little ones" asks for no data
_OCCASION = re.compile(r"\b(?:we'?re|we are|we'?ll|i'?m|having|have|doing|planning|a|an|our|the|movie|film|night|"
                       r"evening|afternoon|tonight|together|watch|watching|to|and|me|us)\b", re.I)


def about_the_viewer(words: str) -> bool:
    """Words about who watches ("my dad", "my grandma would enjoy", "a movie night with the little ones") or the
    person's own taste ("what I usually watch"): no part of a film the catalogue could lack data on (the list
    follows the history anyway)."""
    if COMPANY.match(words) or _AUDIENCE_ONLY.match(words) or OWN_TASTE.match(words):
        return True
    company = WATCHING_WITH.search(words) or FOR_THE_KIDS.search(words)
    if company is None:
        return False
    around = f"{words[:company.start()]} {words[company.end():]}"
    return not re.sub(r"\W+", "", _OCCASION.sub(" ", around))


def ages_are_no_years(update: Update, text: str) -> None:
    """"something my parents would like, they're in their 70s" (the model: years up to 1969) listed films by
    year: an age is no decade, so where the message names no year besides it, the model's years go."""
    if AGE.search(text) and find_year_filters(AGE.sub(" ", text)).spans == []:
        update.min_year = update.max_year = None


def in_company_words(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] lies in words about who watches ("for the boys"): no title is named there."""
    return any(m.start() <= start and end <= m.end() for m in AUDIENCE.finditer(text))


def drop_company(update: Update) -> None:
    """"a movie to watch with my dad, he likes westerns" (the model: plot "my dad") said "I have no plot
    summaries, so I can't check for “my dad”": words about the viewer are no missing data."""
    update.missing = [(kind, words) for kind, words in update.missing
                      if kind not in ("plot", "rest") or not about_the_viewer(words)]


def hint_for_company(update: Update, text: str) -> None:
    """After "something my grandma would enjoy" alone, say what would narrow the list: the words are about
    who watches, and nothing else in the message says what to watch."""
    asks = (update.wished_genres or update.references or update.liked or update.query or update.missing
            or update.exclude_genres or update.include_genres or update.min_year is not None
            or update.max_year is not None or update.question is not None or update.off_topic or update.more
            or update.acclaimed is not None or update.less_known is not None)
    if not asks and WATCHING_WITH.search(text) and HINT not in update.notes:
        update.notes.append(HINT)


def wish_for_the_kids(update: Update, text: str, children: str | None, horror: str | None = None) -> None:
    """"something like Toy Story for my kids" listed Beavis and Butt-head Do America, and "a comedy for my kids"
    any comedy: watching with children wishes for children's films too, whatever else the message asks. Horror
    is left out: "silent films" after a request for the kids listed Nosferatu once the two children's films ran
    out, and "a scary movie for the kids" listed The Shining and Scream first."""
    if (children is None or update.question is not None or update.off_topic or children in update.exclude_genres
            or not FOR_THE_KIDS.search(text)):
        return
    if children not in update.wished_genres:
        update.wished_genres.append(children)
    if len(update.wished_genres) > 1:  # "a heist movie for my kids" listed Pulp Fiction and Fargo first
        update.first_genre = children
    if horror is None or horror in update.exclude_genres:
        return
    scary = horror in update.wished_genres + update.query_hints  # no film here is both Horror and Children's
    update.wished_genres = [g for g in update.wished_genres if g != horror]
    update.query_hints = [g for g in update.query_hints if g != horror]
    update.set_exclusions(update.exclude_genres + [horror])
    alone = update.exclude_genres == [horror]  # then said in the line below, not "No Horror from now on." as well
    if alone:
        update.notes.remove(exclusion_note([horror]))
    if scary:
        left = f" and left out {horror} from now on" if alone else ""
        update.notes.append(f"For the kids I kept to {children} films{left}: I can't tell how scary a film is from "
                            "its genres.")
    elif alone:
        update.notes.append(f"For the kids, no {horror} from now on.")


GROWN_UPS_NOW = re.compile(r"\bfor\s+(?:me|myself|us\s+adults|(?:the\s+)?adults|(?:the\s+)?grown[\s-]?ups|"
                           r"(?:my|the)\s+(?:wife|husband|partner|girlfriend|boyfriend)(?:\s+and\s+(?:me|i))?)\b"
                           r"|\bjust\s+(?:for\s+)?(?:me|us|the\s+two\s+of\s+us)\b|\bby\s+myself\b|\bdate\s+night\b", re.I)


def grown_ups_now(update: Update, state: DialogueState, text: str, children: str | None, horror: str | None) -> None:
    """"a movie for my kids", then "a thriller for me tonight" kept "no Horror" (left out for the kids): a request
    for grown-ups after one for the kids takes Horror back in, and the reply says so."""
    if (children is None or horror is None or children not in state.wished_genres or update.question is not None
            or horror not in state.constraints.exclude_genres or horror in update.exclude_genres or update.off_topic
            or FOR_THE_KIDS.search(text) or not (GROWN_UPS_NOW.search(text) or kids_away(text))
            or horror in update.wished_genres + update.query_hints):  # "…, something scary": the wish says it
        return
    update.allow_genres = list(dict.fromkeys(update.allow_genres + [horror]))
    update.notes.append(f"{horror} was left out for the kids; it is back in now (say *no {horror.lower()}* to leave "
                        "it out again).")
