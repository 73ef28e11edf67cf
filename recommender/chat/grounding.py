"""What the intent model may only say when the message says it too.

A 135M model sometimes reads more into a message than it holds (seen trying the chat as a new user):
"thanks!" became "you liked #3", "a movie for a rainy sunday afternoon" excluded Action, and "something
shorter", after a request for comedies, replaced that request with nothing. These checks need no model:
- positions ("#3", "the second one", "it", "those") must be pointed at in the message;
- an excluded genre needs a negation somewhere in the message ("no", "not", "without", "don't", ...),
  other than one about years ("not too old" excluded Romance), and the violent genres all together need words about violence;
- a follow-up that asks only for what the catalogue has no data on ("shorter", "with Tom Hanks") keeps
  the request on screen, and the reply says what it cannot use;
- a follow-up that adds to the request ("with some action in it", "and also romantic") keeps the genres
  already wished for;
- a question that names a title ("why Babe?", "is Liar Liar funny?") is about that title, and a "fit"
  question about the genre words the lexicon reads in it ("funny" is Comedy; the model said Fantasy).
Which spans are titles, people or stories is checked in `title_spans.py`.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Sequence

from recommender.chat.cue_words import CUES, VAGUE_SHARE
from recommender.chat.intent import POSITION_LISTS, Intent
from recommender.chat.list_questions import WHICH
from recommender.chat.phrases import ANSWER, NEGATIONS, VIOLENCE, VIOLENT_GENRES, find_named_on_list, find_references
from recommender.chat.state import DialogueState, Question, Update
from recommender.chat.targets import targets_update
from recommender.chat.title_spans import renote
from recommender.chat.year_phrases import NEWER
from recommender.title_text import tokens

POINTING = re.compile(r"\b(?:it|this|that|these|those|them|they|one|ones|(?<!after )(?<!\bat )all|both|either|neither|last|latter|"
                      r"former|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b|#\s*\d"
                      r"|\b\d{1,2}\b(?!\s*(?:hours?|hrs?|h|minutes?|mins?|years?|yrs?|yo|people|kids|stars?|of us)\b)", re.I)
                      # "longer than 2 hours" points at no #2 (the model: like #2); "scary after all", "not at all" at no film
LIKE_POINTING = re.compile(r"\blike\s+(?:it|this|that|these|those|them|they|one|ones|the\s+\w+\s+ones?|#)", re.I)
HEDGING_LIKE = re.compile(r"\blike\b", re.I)
ADDING = re.compile(  # "with some action in it", "any with a bit of romance?", "preferably one with a love story"
    r"^\W*(?:and|also|plus|with|add|but also|and also|more|(?:any|anything|ones|some|any ones) with"
    r"|(?:preferably|ideally|hopefully|maybe|perhaps)(?:\s+(?:one|ones|something|a (?:film|movie)))?\s+(?:with|that'?s|that has)"
    r"|(?:with )?(?:a )?(?:bit|little|touch|dash) (?:of|more))\b", re.I)
COMPARING = re.compile(r"\b(?:funnier|scarier|creepier|sadder|lighter|darker|happier|sillier|"
                       r"more (?:fun|tense|romantic|adventurous|exciting)|less serious)\b", re.I)  # "something lighter"
SIMILAR = re.compile(r"\bsimilar\b|\blike (?:that|those|it|them|this)\b|\bsame\b", re.I)
ALSO = re.compile(r"\b(?:also|as well)\b|\bany of (?:these|those|them)\b", re.I)  # "any of these also comedies?"
SWAP = re.compile(r"\bw/o\b|\b(?:swap|replace|trade|switch out)\b", re.I)  # negate as "no" does
NEGATING = NEGATIONS | {"less", "fewer", "nope", "stop", "enough", "doesnt", "didnt", "wont", "cant"}


def without_unpointed_positions(intent: Intent, text: str, names_a_title: bool = False,
                                listed: Sequence[str] = ()) -> Intent:
    """`intent` without list positions when the message points at none ("thanks!" liked nothing), or only
    with words that a title it names explains ("i've seen the godfather …, something new in that style": the
    model said seen #1 too); a question is about the one position it names ("would my 8 year old be ok with
    #7?" asked about #8; "the alien one, is it gory?" about #10). `listed`: the normalised titles on screen."""
    references = find_references(text) + find_named_on_list(text, list(listed))
    named = {r.position for r in references if r.position > 0}
    if intent.action == "question" and len(named) == 1 and intent.item not in named:
        return dataclasses.replace(intent, item=named.pop())
    if intent.like_items and not references and HEDGING_LIKE.search(text) and not LIKE_POINTING.search(text):
        intent = dataclasses.replace(intent, like_items=[])  # "something older, like before 1970" (the model: like #10)
    if references or (POINTING.search(text) and not names_a_title) or not any(getattr(intent, f) for f in POSITION_LISTS):
        return intent
    return dataclasses.replace(intent, **{f: [] for f in POSITION_LISTS})


def negates(text: str) -> bool:
    text = ANSWER.sub("", text)  # "no, I meant a modern musical" negates nothing
    text = NEWER.sub("", text)  # "a comedy that's not very old" negates years, not a genre
    return (bool(set(t for t, _, _ in tokens(text)) & NEGATING) or VIOLENCE.search(text) is not None
            or SWAP.search(text) is not None)


def drop_unsaid_exclusions(update: Update, text: str) -> None:
    """No genre is excluded unless the message negates something, and the violent genres all together
    only when it speaks of violence (the model learnt that set from "nothing violent" and reaches for it
    after any "not": "horror movies but not slasher stuff" excluded Action, Crime, Thriller and War)."""
    excluded = update.exclude_genres
    if not negates(text):
        excluded = []
    elif VIOLENCE.search(text) is None and len({g.lower() for g in excluded} & set(VIOLENT_GENRES)) >= 3:
        excluded = [g for g in excluded if g.lower() not in VIOLENT_GENRES]
    if excluded != update.exclude_genres:
        update.set_exclusions(excluded)


CUE_PATTERNS = dict(CUES)


SOME_OF = re.compile(rf"\s+{VAGUE_SHARE}\b", re.I)


def drop_unsaid_seen(update: Update, text: str) -> None:
    """"I haven't seen Alien, is it good?", "something i haven't seen" and "seen most of those" (the model: seen
    Alien, seen #1, seen #10) mark nothing seen: only a "seen" the message does not negate, of no vague share, counts."""
    said = [m for m in CUE_PATTERNS["seen"].finditer(text)
            if not any(n.start() <= m.start() < n.end() for n in CUE_PATTERNS["unseen"].finditer(text))
            and not SOME_OF.match(text, m.end())]  # "seen most of those": show others, no film named
    if update.seen and not said:
        update.seen = []
        update.notes = [n for n in update.notes if not n.startswith("Noted, you've seen")]


_POINTS = re.compile(r"\b(?:it|that|this|these|those|them|all|both|one"
                     r"|(?:first|last|top|bottom)\s+(?:two|three|four|five|[2-5]))\b", re.I)  # "the last two look good"


def drop_unsaid_likes(update: Update, state: DialogueState, text: str, titles) -> None:
    """"only the ones with good reviews" after a list (the model: liked #10) said "Noted, you liked: Quiz Show
    (1994)": a listed film the message neither names nor points at, with no word of liking, is not liked."""
    guessed = [i for i in update.liked if i in state.last_shown]
    if not guessed or CUE_PATTERNS["liked"].search(text) or find_references(text) or _POINTS.search(text):
        return  # ("the alien one was great": "one")
    named = {m.item for m in titles.find_mentions(text)}
    dropped = [i for i in guessed if i not in named]
    if dropped:
        update.liked = [i for i in update.liked if i not in dropped]
        renote(update, titles)


ASKS_IF_GOOD = re.compile(r"\?|\b(?:is it|was it|any) good\b|\bworth\b|\bshould (?:i|we)\b", re.I)


def question_about_an_unseen_title(update: Update, rules: Update, state: DialogueState, text: str) -> None:
    """"I haven't seen Alien, is it good?" (the model: seen Alien) is a question about Alien."""
    item = rules.referenced
    if (item is None or update.question is not None or not CUE_PATTERNS["unseen"].search(text)
            or not ASKS_IF_GOOD.search(text) or update.liked or update.references or update.wished_genres):
        return
    position = state.last_shown.index(item) + 1 if item in state.last_shown else 0
    update.question, update.referenced = Question("about", item, position), item
    update.new_request = False


def more_like_a_listed_item(update: Update, state: DialogueState, titles) -> None:
    """"#3 looks good, more like that" (the model: like #3, a new request) dropped the request on screen
    (comedies before 1990); as the rules read "more like #3", a listed item steers the current request."""
    refs = update.references
    if (not refs or not state.has_request or not all(i in state.last_shown for i in refs) or update.wished_genres
            or update.min_year is not None or update.max_year is not None or update.query or update.missing):
        return
    update.references, update.new_request = [], False
    update.liked = list(dict.fromkeys(update.liked + refs))
    resolved = [(f, i) for f in ("liked", "disliked", "seen", "excluded") for i in getattr(update, f)]
    update.notes = ([n for n in update.notes if not n.startswith(("Noted, ", "More like"))]
                    + targets_update(resolved, titles, None, refs).notes)  # "More like: X", then the rest


MORE_LIKE = re.compile(r"\b(?:more|others?|another|else|other\s+(?:ones|films|movies))\b(?:\s+\w+)?\s+(?:like|similar)\b"
                       r"|\bmore\s+of\s+(?:that|this|it|those|these|the\s+same)\b", re.I)


def more_of_the_same(update: Update, state: DialogueState, text: str) -> None:
    """"Titanic", then "more like that" showed the same ten films again: Titanic already steered that list. When
    every film a message asks to be like already steers the list on screen, it asks for more of them: the next ten."""
    steering = set(state.references) | set(state.liked)
    if (state.last_shown and update.references and MORE_LIKE.search(text) and steering.issuperset(update.references)
            and not update.wished_genres and update.question is None):
        update.more = True


NEW_ASK = re.compile(r"^\W*(?:(?:now|ok|okay|hmm+|well|so)\W+)?(?:something|anything|a (?:movie|film)|movies|films|show me|give me|"
                     r"recommend|suggest|i want|i'?d like|i need|got any|any good|find me|do you have|i'?m looking for|"
                     r"looking for|(?:can|could|would) you (?:find|recommend|suggest|show|give|get|pick)|"
                     r"an? [\w-]+ (?:movie|film|flick)s?)\b", re.I)


def keep_request_for_missing_data(update: Update, state: DialogueState, text: str = "") -> None:
    """A follow-up that names nothing to watch (only data the catalogue lacks, "shorter", or only years,
    "not so old though") refines the request on screen instead of replacing it with nothing; one that
    starts a request of its own ("something cozy for a snowy evening") does not."""
    asks = update.wished_genres or update.references or update.query or update.liked
    ask = NEW_ASK.match(text)
    comparing = ask and re.match(r"\s+(?:\w{3,}er|more|less|else|similar)\b", text[ask.end():], re.I)  # "something shorter"
    if ask and not comparing and any(kind != "people" for kind, _ in update.missing):
        return  # "anything with Arnold?" after 90s action: 90s action, and no cast data
    if state.has_request and update.new_request and not asks and not update.reset_first:
        update.new_request = False
        # "nah too cheesy, something with more bite": the list shown is rejected, so new picks follow
        update.more = update.more or bool(REJECTING.match(text))


REJECTING = re.compile(r"^\W*(?:nah|nope|meh|ugh|hmm+,? no|no,|none of (?:these|those|them)|not (?:these|those|really)"
                       r"|(?:these|those|they)(?:'re| are)(?: all| a bit| a little| way)? too|too"
                       r"|(?:(?:a\s+)?(?:bit|little|lot)\s+)?less|not\s+(?:so|as|that)(?=\s+\w+\W*$))\b",  # "less cheesy"
                       re.I)  # "these are too cheesy"


def add_to_request(update: Update, state: DialogueState, text: str, genres) -> None:
    """"with some action in it" after a request for comedies: comedies with action, not action alone;
    "more thriller-ish ones" after films of the 1950s: thrillers of the 1950s; "something lighter" after
    "something like Fargo": like Fargo, and Comedy."""
    before = state.wished_genres or (genres.names(state.query) if state.query and genres is not None else [])
    years = state.constraints.min_year is not None or state.constraints.max_year is not None
    adding = ADDING.match(text) or COMPARING.search(text) or ALSO.search(text)
    if COMPARING.search(text) and SIMILAR.search(text) and state.last_named and not update.references:
        update.references = list(state.last_named)  # "i liked the godfather", then "something similar but funnier"
    if adding and update.new_request and update.wished_genres and (before or years or state.references):
        update.adds = True
        update.wished_genres = list(dict.fromkeys(before + update.wished_genres))
        update.references = update.references or list(state.references)
        if not update.query:
            update.query = state.query


WHAT_ABOUT = re.compile(r"\b(?:what|how) about\b", re.I)


def question_about_named_title(update: Update, intent: Intent, rules: Update, state: DialogueState,
                               asked_genres: list[str], text: str = "") -> None:
    """A question that names a title and no position is about that title: the one on the list if the
    message names one there, else the first named (position 0: not on the list). `asked_genres`, the
    lexicon's reading of the message, replace the model's genres in a "fit" question. "what about Blade
    Runner?" with Blade Runner not on the list asks for films like it."""
    if intent.action != "question":
        return
    named = rules.named_items()
    if named and rules.referenced is None:
        listed = [i for i in named if i in state.last_shown]
        item = (listed or named)[0]
        position = state.last_shown.index(item) + 1 if item in state.last_shown else 0
        old = update.question
        update.question = Question(intent.ask or "about", item, position, list(old.genres if old else intent.genres),
                                   old.min_year if old else None, old.max_year if old else None)
        update.referenced = item if position else update.referenced
        update.problems = [p for p in update.problems if not p.startswith("There is no #")]
    if update.question is not None and update.question.ask == "fit":
        update.question.genres = list(asked_genres)  # "is #2 too violent?": the model said Action
    if update.question is not None and not update.question.position and WHAT_ABOUT.search(text):
        update.references, update.new_request = [update.question.item], True  # "what about blade runner?"
        update.question = None


STORY = re.compile(r"(?<!what )(?<!how )(?<!things )(?<!lot )(?<!much )(?<!stuff )(?<!know )"  # not "what about", "heard
                   r"\b(?:about|where|in which|wherein)\s+(\w.{2,})$", re.I)          # good things about Chinatown"


def note_untold_story(update: Update, text: str, genres, filler: frozenset[str]) -> None:
    """"a movie about a heist gone wrong": the model read Crime and left the story out, and the reply said
    nothing of it. Words after "about" / "where" that no lexicon reads are a plot the catalogue cannot match."""
    if update.question is not None or update.off_topic or update.missing:
        return
    m = STORY.search(text.strip().rstrip("?!. "))
    if m and genres.leftover(m.group(1), filler):
        update.missing.append(("plot", m.group(1)))


LIST_POINTER = re.compile(r"#\s*\d|\b(?:it|this|that|these|those|them|they|number \w+|(?:10|[1-9])(?:st|nd|rd|th)|first|second|"
                          r"third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last)\b", re.I)


def question_needs_an_item(intent: Intent, text: str, rules: Update, state: DialogueState) -> Intent:
    """A "question" that points at no listed item is a request: "are there any older ones?" was read as
    "is #10 a Thriller?"."""
    named = rules.liked + rules.references + rules.seen + rules.disliked  # "is Casablanca scary?" stays a question
    if (intent.action != "question" or LIST_POINTER.search(text) or WHICH.search(text) or named
            or rules.referenced is not None):
        return intent
    return dataclasses.replace(intent, action="request", ask=None, item=None, genres=[])


FEEDBACK_CUES = {  # a position the person reports on needs words that report it
    "seen_items": re.compile(r"\b(?:seen|watched|saw|already)\b", re.I),
    "liked_items": re.compile(r"\b(?:like[ds]?|lov(?:e|ed|es)|enjoy(?:ed)?|great|good|awesome|amazing|fav\w*|hilarious|"
                              r"best|fantastic|brilliant|cool|nice|perfect|excellent|classic|cute|fun|interesting|"
                              r"intriguing|promising|lovely|sweet|wonderful|beautiful|looks|sounds)\b", re.I),
    "disliked_items": re.compile(r"\b(?:not|no|nope|nah|don'?t|didn'?t|hate[ds]?|dislike[ds]?|boring|bad|awful|terrible|"
                                 r"meh|sucked|worst|skip|pass|ugh)\b|n't\b", re.I),
}
TELL_MORE = re.compile(r"\btell me (?:more|about)\b|\bmore (?:info|details)\b|\bwhat'?s (?:it|that one) about\b", re.I)


def feedback_needs_words(intent: Intent, text: str) -> Intent:
    """Positions reported on need words that report it: "one with a twist ending" (after a list of crime
    films) was read as "you didn't like #1". "the second one looks great, tell me more" asks about #2: it
    is a question, not a rating (the person has not seen it)."""
    changes = {f: [] for f, cue in FEEDBACK_CUES.items() if getattr(intent, f) and not cue.search(text)}
    if TELL_MORE.search(text) and intent.action != "question":
        pointed = [p for f in POSITION_LISTS for p in getattr(intent, f)]
        if pointed:
            return dataclasses.replace(intent, action="question", ask="about", item=pointed[0],
                                       **{f: [] for f in POSITION_LISTS})
    return dataclasses.replace(intent, **changes) if changes else intent
