"""Degrees of a trait that genres only approximate: "is #1 gory?", "not so gory", "less bloody".

A genre says whether a film is Horror, not how gory it is; these checks make the chat say so instead of
pretending, and pick the genre-level reading a person would accept.
"""

from __future__ import annotations

import re

from recommender.chat.state import DialogueState, Update, exclusion_note
from recommender.chat.year_phrases import SILENT

DEGREE_WORDS = "gory|bloody|violent|graphic|disturbing|intense|brutal|gruesome|creepy|dark"  # what genres only approximate
# in a question only: "is #1 sad?" was answered "Yes: #1 is Dead Man Walking (1995), Drama." (a Drama need not be
# sad); "too sad" after dramas still asks for no Drama (`spare_the_wished_genre`), so these are not DEGREE_WORDS
MOOD_WORDS = "sad|depressing|heartbreaking|tragic|emotional|moving|uplifting|upbeat|cheerful|heartwarming"
DEGREE = re.compile(rf"\b({DEGREE_WORDS}|{MOOD_WORDS})\b", re.I)


BLACK_AND_WHITE = re.compile(r"\bblack[\s-]+(?:and|&|n)[\s-]+white\b|\bb\s*&\s*w\b|\bin colou?r\b", re.I)


def note_degree(update: Update, text: str) -> None:
    """"is the first one gory?" was answered "Yes: #1 is Young Frankenstein": a genre says whether a film is
    Horror, not how gory it is, so the answer says that much and no more; "is casablanca black and white?"
    is answered from its year, and says that is all it is."""
    question = update.question
    if question is None or question.ask != "fit":
        return
    m = DEGREE.search(text)
    if m:
        question.degree = m.group(1).lower()
    era = BLACK_AND_WHITE.search(text)
    if era:
        question.era = "in colour" if "colo" in era.group(0).lower() else "black and white"


def note_era(update: Update, text: str) -> None:
    """"any in color?" after 1940s mysteries listed films from 1960 on without a word: the catalogue has no
    colour data, and the reply says the years stand in for it."""
    if update.question is not None or (update.min_year is None and update.max_year is None):
        return
    if SILENT.search(text) and update.max_year is not None and update.max_year <= 1929:
        update.notes.append("I have no sound data, so I took “silent” as films before 1930, the end of the silent era.")
    era = BLACK_AND_WHITE.search(text)
    if era is None:
        return
    colour = "colo" in era.group(0).lower()
    update.notes.append(f"I have no colour data, so I took “{era.group(0)}” as films "
                        f"{'from 1960 on' if colour else 'before 1960'}, when {'colour' if colour else 'black and white'}"
                        f" was the rule.")


STUDIOS = re.compile(r"\b(disney|pixar)\b", re.I)  # in the genre lexicon as Children's


def note_studio(update: Update, text: str, children: str | None) -> None:
    """"any disney movies?" listed children's films, "not disney" left them out, both without a word: the
    catalogue has no studio data, and the reply says the genre stands in for it."""
    studio = STUDIOS.search(text)
    if studio is None or children is None or update.question is not None or update.off_topic:
        return
    said = studio.group(1).title()
    if children in update.exclude_genres:
        update.notes.append(f"I have no studio data, so for “{said}” I left out {children} films.")
    elif children in update.wished_genres + update.query_hints + update.include_genres:
        update.notes.append(f"I have no studio data, so for “{said}” I looked for {children} films.")


TRAIT = {"gore": "gory", "blood": "bloody", "violence": "violent"}  # the nouns, said back as the adjective
# "scary but not gory" said nothing of gore; "not to gory" is a typo of "too"
LESS_OF = re.compile(rf"\b(?:not(?: so| too| to| that| very| overly| super| as)?|less|too(?: much)?|no|without|nothing)"
                     rf"\s+({DEGREE_WORDS}|{'|'.join(TRAIT)})\b", re.I)


NOT_SO = re.compile(r"\bnot (?:so|that|very|overly|super|as)\s+([a-z]+)\b", re.I)


def _trait(degree: re.Match) -> str:
    """The trait a LESS_OF match names, as an adjective ("too much gore": gory)."""
    word = degree.group(1).lower()
    return TRAIT.get(word, word)


def _told(update: Update, degree: re.Match) -> None:
    """The reply says how the trait was taken, so no "I can't match “less bloody”" line says it again."""
    word = degree.group(1).lower()
    update.missing = [(k, w) for k, w in update.missing if k not in ("rest", "plot") or word not in w.lower()]


def spare_the_wished_genre(update: Update, state: DialogueState, text: str) -> None:
    """"ok but not so gory" after horror excluded Horror and listed Star Wars: less of a trait a genre cannot
    tell ("not so gory", "less violent", "too dark") keeps the genre the request wishes (the list passes
    over what is on screen, and the reply says genres cannot tell how gory a film is). "no horror", and
    less of what the genre is ("less scary" after horror, "too sad" after dramas), still exclude it."""
    degree = LESS_OF.search(text) or NOT_SO.search(text)  # "not that silly" after comedies: less silly ones
    spared = [g for g in update.exclude_genres if g in state.wished_genres
              and not re.search(rf"\b{re.escape(g.lower().rstrip('s'))}", text.lower())]
    if not degree or not spared:
        return
    update.set_exclusions([g for g in update.exclude_genres if g not in spared])
    update.more = bool(state.last_shown)
    if update.wished_genres:  # "too gory, something more psychological" after horror: psychological horror
        update.wished_genres = list(dict.fromkeys(spared + update.wished_genres))
    _told(update, degree)
    update.notes.append(f"I can't tell how {_trait(degree)} a film is from its genres, so the list stays "
                        f"{' and '.join(spared)}.")


ALLOWED_NOW = re.compile(r"\b(?:is|are|'s|'re|would be)\s+(?:(?:totally|perfectly|also|actually|now)\s+)?(?:ok|okay|fine|"
                         r"alright|all right|allowed)\b|\b(?:i'?m|i am|we'?re|we are)\s+(?:ok|okay|fine)\s+with\b"
                         r"|\b(?:you can|feel free to)\s+(?:include|add)\b", re.I)


def allowing_is_no_new_wish(update: Update, state: DialogueState, text: str) -> None:
    """"an 80s comedy, no romance", then "romance is ok too" listed romances of any decade: a genre left out
    before and now said to be fine is allowed again, and the request on screen stays."""
    excluded = state.constraints.exclude_genres
    named = [g for g in dict.fromkeys(update.wished_genres + update.query_hints) if g in excluded]
    if (not ALLOWED_NOW.search(text) or update.question is not None or not named or not state.has_request
            or any(g not in named for g in update.wished_genres) or set(named) & set(update.exclude_genres)):
        return
    update.wished_genres, update.query_hints, update.query, update.new_request = [], [], None, False
    update.missing = [(kind, said) for kind, said in update.missing if kind not in ("rest", "plot")]
    update.allow_genres = named
    names = " and ".join(named)
    update.notes.append(f"{names} is back in; the rest of your request stays.")


def wish_lifts_exclusion(update: Update, state: DialogueState) -> None:
    """"a comedy, nothing scary", then "a horror movie from the 80s" listed Star Wars under "no Horror", and
    "only comedies", then "a thriller" listed comedies: the earlier constraint silently beat the new wish. A
    genre asked for now is allowed again, or the "only" ends, and the reply says so, unless this message
    excludes the genre or says "only" itself."""
    c, wished = state.constraints, dict.fromkeys(update.wished_genres + update.query_hints)
    lifted = [g for g in wished if g in c.exclude_genres and g not in update.exclude_genres]
    leaves = c.include_genres and not update.include_genres and not set(wished) & c.include_genres
    outside = list(wished) if leaves else []  # "a romantic comedy" after "only comedies" stays within it
    update.allow_genres = list(dict.fromkeys(update.allow_genres + lifted + outside))
    if lifted:
        names = " and ".join(lifted)
        update.notes.append(f"{names} was left out until now; since you ask for it, {names} is back in.")  # "You had
        # said no Horror" was said where the kids' request had left it out
    if outside:
        update.notes.append(f"You had said only {' and '.join(sorted(c.include_genres))}; since you ask for "
                            f"{' and '.join(outside)} now, that no longer holds.")


GORE = {"gory", "bloody", "gruesome", "gore", "blood"}


def less_gore_without_horror(update: Update, state: DialogueState, text: str, horror: str | None) -> None:
    """"my favourite is Jaws, anything along those lines but less bloody?" listed Evil Dead II and Blood
    Beach: less gore, when no one asked for horror, leaves Horror out (the genre is the only measure of gore
    the catalogue has), and the reply says that is what it did. `horror`: the catalogue's name for the genre."""
    degree = LESS_OF.search(text)
    if not degree or degree.group(1).lower() not in GORE or horror is None:
        return
    wished = set(update.wished_genres) | set(update.query_hints) | set(state.wished_genres) | set(state.query_hints)
    trait = _trait(degree)
    _told(update, degree)
    if horror in wished and horror in update.exclude_genres:  # "horror without blood": the gore word is no exclusion
        update.set_exclusions([g for g in update.exclude_genres if g != horror])
        update.notes = [n for n in update.notes if n != exclusion_note([horror])]
    if horror in wished and not any(n.startswith("I can't tell how") for n in update.notes):
        update.notes.append(f"I can't tell how {trait} a film is from its genres, so these are {horror} films "
                            "as asked.")  # "a scary movie but not too gory" said nothing of the gore
        return
    if horror in wished or horror in update.exclude_genres or horror in state.constraints.exclude_genres:
        return
    _leave_out(update, horror, trait)


def _leave_out(update: Update, horror: str, trait: str) -> None:
    """Exclude `horror` and say why in one line (not "No Horror from now on." as well)."""
    update.set_exclusions(update.exclude_genres + [horror])
    if update.exclude_genres == [horror]:
        update.notes.remove(exclusion_note([horror]))
    update.notes.append(f"I can't tell how {trait} a film is from its genres, so I left out {horror} from now on.")


TASTE = re.compile(r"\b(?:(?:not|isn'?t|aren'?t)(?: so| too| that| very| overly| as)?|less|too|nothing(?: too| that)?"
                   r"|without|no)\s+"
                   r"(cheesy|corny|sappy|mushy|cliched|clich\u00e9d|predictable|pretentious|preachy|sentimental|slow|boring)\b",
                   re.I)


def note_untold_taste(update: Update, text: str) -> None:
    """"romance but not cheesy" listed romances and said nothing of the cheese (the model dropped the words):
    no data tells how cheesy a film is, and the reply says so rather than seem to have done it."""
    taste = TASTE.search(text)
    if taste is None or update.question is not None or update.off_topic:
        return
    _told(update, taste)
    if not any(n.startswith("I can't tell how") for n in update.notes):
        update.notes.append(f"I can't tell how {taste.group(1).lower()} a film is from titles, years and genres, "
                            "so I left that aside.")


NOT_SCARY = re.compile(r"\bnot (?:too |so |that |very |overly )?(?:scary|frightening|spooky|creepy)\b"
                       r"|\bnothing (?:too |that |very )?(?:scary|frightening)\b", re.I)


def gentle_for_children(update: Update, text: str, children: str | None, horror: str | None) -> None:
    """"something for halloween night but not too scary, kids will watch" wished Horror and Children's and
    listed Scream and The Shining first: when children's films are wished and the message asks for nothing
    too scary, Horror is no wish, and the reply says why."""
    wished = update.wished_genres
    if not children or not horror or children not in wished or horror not in wished or not NOT_SCARY.search(text):
        return
    update.wished_genres = [g for g in wished if g != horror]
    update.query_hints = [g for g in update.query_hints if g != horror]
    update.notes.append(f"For children I kept to {children} films: I can't tell how scary a film is from its genres.")


# kinds within a genre that the genre cannot tell apart: "no slapstick" keeps the comedies and says so
SUBKINDS = ("slapstick|screwball|parody|parodies|spoofs?|satire|mockumentary|slashers?|zombies?|vampires?|werewol(?:f|ves)"
            "|splatter|haunted houses?|creature features?|spy|spies|serial killers?|cowboys?|gunslingers?"
            "|vietnam|ww ?(?:2|ii|1|i)|world war (?:one|two|i|ii|1|2|ii)"  # "war films but not about ww2" said nothing
            "|aliens?|robots?|dinosaurs?|time travel|spaceships?")  # "sci fi but nothing with aliens" said nothing
UNTOLD_KIND = re.compile(
    r"\b(?:no|not|nothing|nothin|without|hate|hates|dislike|don'?t (?:like|want|do)|can'?t stand|except|minus|skip|sick of|tired of)"
    rf"\s+(?:(?:any|more|the|too much|really|that|those|these|of|a|an|about|set in|in|with)\s+)*({SUBKINDS})\b", re.I)


def note_untold_kind(update: Update, text: str, genres, state: DialogueState | None = None) -> None:
    """"i need a laugh, but i hate slapstick" listed comedies without a word on slapstick: a kind of the wished
    genre is no genre of its own, so the list stays that genre and the reply says it cannot leave the kind out.
    After a request, the wish is the request's ("a horror movie", then "I don't like slashers" left Horror out)."""
    if genres is None or update.question is not None or update.off_topic:
        return
    follow_up = state is not None and not update.wished_genres and not update.new_request
    wished = update.wished_genres or (state.wished_genres + state.query_hints if follow_up else [])
    for m in UNTOLD_KIND.finditer(text):
        kind = m.group(1).lower()
        genre = genres.lookup(kind) or genres.lookup(kind.rstrip("s")) or genres.lookup(f"with {kind}")
        if genre in wished and not any(n.startswith(("I can't tell", "Genres don't")) for n in update.notes):
            update.set_exclusions([g for g in update.exclude_genres if g != genre])
            update.notes = [n for n in update.notes if n != exclusion_note([genre])]
            update.notes.append(f"Genres don't separate {kind} from other {genre}, so I can't leave that out"
                                + ("." if follow_up else f": the list stays {genre}."))


MILDER = re.compile(r"\b(?:milder|tamer|gentler|softer|calmer|less\s+(?:intense|extreme|hardcore|brutal|graphic|heavy))\b",
                    re.I)
_MILDER_WORDS = frozenset("something anything one ones a bit little lot please plz maybe more less milder tamer gentler "
                          "softer calmer intense extreme hardcore brutal graphic heavy".split())


def milder_than_the_list(update: Update, state: DialogueState, text: str, horror: str | None) -> None:
    """"too scary, something milder" after horror said "I can't match “something milder”. The list still
    follows what you asked for before." and then left Horror out: a milder film is new picks, with Horror
    left out when the list was Horror (the genre is the only measure of intensity the catalogue has)."""
    if not MILDER.search(text) or not state.has_request or update.question is not None:
        return
    update.missing = [(kind, words) for kind, words in update.missing
                      if kind not in ("rest", "plot") or not set(words.lower().split()) <= _MILDER_WORDS]
    update.more = True
    wished = set(state.wished_genres) | set(state.query_hints)
    if horror is None or horror not in wished or horror in update.exclude_genres:
        if not update.exclude_genres and not update.wished_genres:  # "a thriller" then "something tamer please"
            update.notes.append("I can't tell how intense a film is from its genres: these are other picks for the "
                                "same request.")
        return
    _leave_out(update, horror, "intense")
