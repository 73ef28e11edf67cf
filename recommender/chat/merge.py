"""The model's reading of a free-form message, corrected by what the rule lexicons read exactly.

`merge_rules` lets the lexicons decide what they read without doubt (genre words, exclusions, years,
numbers); `read_as_genres` reads a request that holds nothing but genre words without the model; the
`note_*` helpers say plainly what the chat could not match, quoting only the words that matter
(`without_ask_head`). Used by `router.MessageRouter`.
"""

from __future__ import annotations

import dataclasses
import re

from recommender.chat.cue_words import FILLER
from recommender.chat.genre_words import NARROW_TOPICS
from recommender.chat.company import about_the_viewer
from recommender.chat.phrases import CLAUSE_END, NEGATIONS, VIOLENCE
from recommender.chat.state import Update
from recommender.chat.targets import UNKNOWN_TITLE_PROBLEM
from recommender.chat.year_phrases import NEWER, OLDER, find_year_filters
from recommender.title_text import tokens


def merge_rules(update: Update, rules: Update, genres=None) -> Update:
    """The model's reading of a message, corrected by what the rule lexicons read exactly (see the module
    docstring). Questions, "more" and off-topic messages are the model's alone. `genres` (the lexicon)
    reads every genre word of the request, synonyms and names alike ("romantic comedy" is Romance and
    Comedy), and drops the "no data on ..." notes for words it read as a genre ("lighthearted")."""
    update.count = rules.count  # "give me 5 good thrillers": the rules read numbers exactly
    if update.off_topic and genres is not None and rules.query and genres.names(rules.query):
        update.off_topic = False  # a message with a genre word is about movies: "aliens invading earth"
    if update.off_topic and rules.new_request:  # "what would you pick for a first date?" asks for films
        update.off_topic, update.new_request = False, True
    if update.off_topic and rules.query and any(ASKS_FOR.match(c) for c in CLAUSES.split(rules.query)):
        update.off_topic, update.new_request = False, True  # "something for a rainy day" was left aside
        update.missing.append(("rest", without_ask_head(rules.query)))
    if update.more and not rules.more and genres is not None and rules.query and genre_reading(rules.query, genres)[0]:
        update.more, update.new_request = False, True  # "add some comedy to that": the model said "more"
    if update.more and rules.exclude_genres and not rules.more:  # "ugh, no more kids movies": the model said "more"
        update.more = False
        update.set_exclusions(list(dict.fromkeys(update.exclude_genres + rules.exclude_genres)))
    if rules.more and not update.more and not update.understood and update.question is None and not update.off_topic:
        update.more = True  # "hmm, seen most of those" (the model: all ten seen, which no word names)
    if update.more and (rules.min_year or rules.max_year):  # "anything newer than these?"
        update.min_year, update.max_year = rules.min_year, rules.max_year
    question = update.question
    if question is not None and question.ask in ("fit", "which") and question.min_year is None and question.max_year is None \
            and (rules.min_year or rules.max_year):  # "is casablanca black and white?": the rules read eras
        update.question = dataclasses.replace(question, min_year=rules.min_year, max_year=rules.max_year)
    if update.question is not None or update.off_topic or update.more:
        return update
    if not rules.understood and update.new_request:  # nothing but filler: "can you suggest a movie for tonight?"
        update.set_exclusions([])
        update.wished_genres, update.query, update.missing = [], None, []
    if genres is not None and rules.query:
        hints, negated = genre_reading(rules.query, genres)  # "I don't want anything scary"
    else:  # "nothing too scary" is no wish
        negated, hints = [], [g for g in rules.query_hints if g not in update.exclude_genres]
    # with the lexicon, a genre the model guessed from no genre word is not kept (see note_unmatched_guess)
    wished = hints or ([g for g in update.wished_genres if g not in negated] if genres is None else [])
    if genres is not None and update.wished_genres and not hints and update.new_request:
        note_unmatched_guess(update, rules, genres)
    said = set(genres.names(rules.query)) if genres is not None and rules.query else set()
    model_excluded = [g for g in update.exclude_genres if g not in hints  # "a love story that isn't cheesy"
                      and (genres is None or g in said or g in rules.exclude_genres)]  # "nothing with nazis": no Crime
    excluded = list(dict.fromkeys(model_excluded + [g for g in rules.exclude_genres + negated if g not in wished]))
    if excluded != update.exclude_genres:
        update.set_exclusions(excluded)  # "a love story that isn't cheesy" leaves no "No ... from now on."
    update.wished_genres = list(dict.fromkeys(wished))
    if hints:
        update.new_request = True
        if update.kind == "reset":  # "start over. something with cowboys": forget, then take the request
            update.kind, update.reset_first = "message", True
    if rules.min_year or rules.max_year:  # the rules read years exactly ("after 1990" is 1991-)
        update.min_year, update.max_year = rules.min_year, rules.max_year
    elif rules.clear_years:  # "actually any decade is fine" kept the 1980s
        update.min_year, update.max_year, update.clear_years = None, None, True
    if genres is not None:
        update.missing = [(kind, text) for kind, text in update.missing  # "the more classic the better": no data missing
                          if kind == "people" or not read_by_rules(text, genres) and genres.leftover(text, FILLER)]
    update.missing = [(kind, _whole_phrase(said, rules.query) if kind == "rest" else said)
                      for kind, said in update.missing]
    return update


def _whole_phrase(said: str, query: str | None) -> str:
    """The unread words of the message around the model's fragment of them: "i hate musicals. something for a
    rainy day" said "I can't match “day”" (the model's rest); it is “for a rainy day”."""
    if len(said.split()) != 1:
        return said  # the model's own phrase, or a person's name: quoted as said
    whole = without_ask_head(query) if query else ""
    fits = re.search(rf"\b{re.escape(said.lower())}\b", whole.lower())
    phrase = re.match(r"(?:for|to|about|where|that)\b", whole, re.I)  # "for a rainy day", not "less cheesy"
    return whole if fits and phrase and len(whole.split()) <= 6 and "," not in whole else said


def read_as_genres(rules: Update, genres) -> Update | None:
    """The rule parser's reading of a message whose free text is nothing but genre words and filler ("a
    scary movie", "something like Alien but funnier"), with those words as genre wishes, as the LLM path
    reads them once `merge_rules` has corrected it: exact, and no model call. None when other words are
    left ("a comedy with Jim Carrey")."""
    if rules.kind != "message" or not rules.query or genres is None or genres.leftover(rules.query, FILLER):
        return None
    wished, negated = genre_reading(rules.query, genres)
    update = dataclasses.replace(rules, query=None, query_hints=[], wished_genres=wished)
    excluded = [g for g in dict.fromkeys(update.exclude_genres + negated) if g not in wished]
    if excluded != update.exclude_genres:  # "a thriller, nothing violent" still wishes for a thriller
        update.set_exclusions(excluded)
    update.new_request = update.new_request or bool(wished)
    return update


def genre_reading(query: str, genres) -> tuple[list[str], list[str]]:
    """(wished, negated): the genres a request wishes for (`wished_names`) that no negation or comparison
    ("than") takes back, and those named only after a negation."""
    negated = genres.negated(query)
    away = genres.compared_away(query)  # "more about ideas than explosions" wishes for no action
    return [g for g in wished_names(query, genres) if g not in negated + away], negated


def wished_names(query: str, genres) -> list[str]:
    """The genres a request wishes for. What a film is about is its subject, not its audience: "docs about
    nature or animals" wishes for a documentary, not a children's film ("animal" is Children's when it
    describes the film: "a fun movie with animals"); "a drama about war" wishes War too."""
    head, *tail = re.split(r"(?<!what )(?<!how )\babout\b", query, maxsplit=1, flags=re.I)
    if not tail or not genres.names(head):
        return genres.names(query)
    audience = {genres.lookup("children")}
    return list(dict.fromkeys(genres.names(head) + [g for g in genres.names(tail[0]) if g not in audience]))


def note_unmatched_guess(update: Update, rules: Update, genres) -> None:
    """`merge_rules` keeps no genre the model guessed with no genre word in the message: tried on new
    wording, such guesses were mostly wrong ("christmas movies" was Adventure, "something epic and long"
    Horror, "nothing with John Wayne" Western), and a list headed by the wrong genre misleads. When
    nothing else is left, or only years with words no lexicon reads ("a sports movie from the 80s"), the
    reply says what it could not match."""
    if not rules.query or update.missing or update.query:
        return
    understood = update.references or update.liked or update.exclude_genres or update.problems  # "I loved Inception"
    years = update.min_year is not None or update.max_year is not None
    unread = without_ask_head(rules.query)
    if about_the_viewer(unread):  # "something like what i usually watch", "something my grandma would enjoy"
        return
    if not understood and (not years or genres.leftover(rules.query, FILLER)):
        update.missing = [("rest", unread)]


def ask_despite_unknown_titles(update: Update, intent, rules: Update) -> None:
    """"i loved the matrix and inception, what else?": both films are newer than the catalogue, and the
    chat answered "I didn't find a request in that"; the ask stands, so a list follows what else is known."""
    asked = intent.action in ("request", "more") or rules.more or rules.new_request
    if update.problems and not update.understood and asked:
        update.new_request = True


def note_unread_words(update: Update, rules: Update, genres) -> None:
    """"any with a female lead?" (the model read a question about no item) got "I didn't find a request in
    that"; words that nothing read are said to be unmatched instead."""
    if (not update.understood and update.question is None and not update.off_topic and rules.query
            and not update.problems and genres.leftover(rules.query, FILLER)):  # "I loved Inception": said
        if about_the_viewer(without_ask_head(rules.query)):  # "something my grandma would enjoy": an ask
            update.new_request = True
        else:
            update.missing.append(("rest", without_ask_head(rules.query)))


ASK_HEAD = re.compile(r"^(?:(?:can|could|would) you |please )?(?:(?:find|show|give|get|recommend|suggest|pick)(?: me| us)?"
                      r"|i (?:want|need)|i'?d like|i'?m looking for|looking for|(?:got|are there|do you have) any(?: good)?"
                      r"|any good)\s+(?:(?:an?|some)\s+)?"
                      r"(?:(?:movie|film|something)\s+(?=\w))?", re.I)


CLAUSES = re.compile(r"\s*(?:[,;]|\.(?=\s|$))\s*")
ASKS_FOR = re.compile(r"(?:something|anything|a (?:movie|film|flick))\s+(?:for|to|that|with|about|like|where)\b", re.I)
SOMETHING_HEAD = re.compile(r"^(?:something|anything|a (?:movie|film|flick))\s+(?=\w)", re.I)


def without_ask_head(text: str) -> str:
    """"can you find a sports movie" -> "sports movie", "something short and sweet" -> "short and sweet": the
    words worth quoting back. A clause of filler alone goes ("i don't like horror, give me something exciting"
    left "i , give me something exciting" to the rules, and that was quoted)."""
    clauses = [c for c in CLAUSES.split(text) if c.strip()]
    text = ", ".join([c for c in clauses if any(w not in FILLER for w, _, _ in tokens(c))] or clauses) or text
    return SOMETHING_HEAD.sub("", ASK_HEAD.sub("", text)) or text


NARROW = re.compile(r"\b(?:" + "|".join(NARROW_TOPICS) + r")\b", re.I)


def note_narrow_topics(update: Update, text: str) -> None:
    """"a sci fi flick w/ a killer robot" lists science fiction, and the reply says the robot was matched by
    genre only: few films of the genre have one, and the catalogue has no plot to check."""
    if not update.wished_genres or update.question is not None or update.off_topic:
        return
    unknown = " ".join(m.group(1).lower() for p in update.problems if (m := UNKNOWN_TITLE_PROBLEM.match(p)))
    for m in NARROW.finditer(text):
        if re.search(rf"\b{re.escape(m.group(0).lower())}\b", unknown):
            continue  # "I loved Heat and The Dark Knight": no knight was asked for
        clause = CLAUSE_END.split(text[:m.start()])[-1]
        if not set(t for t, _, _ in tokens(clause)) & NEGATIONS and ("topic", m.group(0)) not in update.missing:
            update.missing.append(("topic", m.group(0)))


AWARDS = re.compile(r"\b(?:(?:won|wins?|winning)\s+(?:the\s+|an?\s+|any\s+)?)?"  # "a film that won best picture"
                    r"(?:(?:oscars?|academy[\s-]awards?|awards?|golden[\s-]globes?|baftas?)(?:[\s-](?:winning|winners?|"
                    r"nominated|nominees?|nominations?|worthy|bait))?|best[\s-]pictures?(?:[\s-](?:winners?|nominees?))?"
                    r"|palme d'?or|cannes(?:[\s-]winners?)?)\b", re.I)
_SPAN = r"(?:an?|one|two|three|1|2|3|\d+)(?:\s+and\s+a\s+half)?\s*(?:hours?|hrs?|minutes|mins)"
RUNTIME = re.compile(  # "something short and funny", "a long epic", "not too long", "under 2 hours", "but less long"
    r"\b(?:(?:something|anything|a|an|not too|nothing too|not that|not so|nothing|really|very|fairly|kinda|pretty|quite|less|but)"
    r"\s+(?:short|shorter|quick|brief|long|longer|lengthy)\b(?!\s+(?:time|ago|way|while|shot|term|run|story|list|day|night|weekend|week|month|year|shift))"
    r"|(?:too|overly)\s+(?:long|lengthy)\b(?!\s+ago)"  # "isn't too long", "not overly long"
    r"|(?:short|quick|long|lengthy)\s+(?:movie|film|flick|one|watch)s?\b|run(?:ning)?[\s-]?time"
    rf"|(?:under|less than|more than|over|at most|at least|no more than|no longer than|shorter than|longer than)\s+{_SPAN}\b"
    r"|(?:two|three|2|3|90|120)[\s-](?:hours?|minutes?)[\s-](?:long|movie|film)s?\b"
    r"|(?:an?|one|two|three|1|2|3|90|120|a\s+couple(?:\s+of)?)\s+(?:hours?|hrs?|minutes?|mins?)\s+to\s+(?:kill|spare))", re.I)
_NATIONS = (r"french|spanish|german|italian|japanese|korean|chinese|hindi|russian|swedish|danish|bollywood|european"
            r"|asian|british|indian|mexican|polish|iranian|brazilian|scandinavian")
LANGUAGE = re.compile(  # "any good foreign films?", "what about something french": no language or country data
    r"\b(?:foreign(?:[\s-]language)?(?:\s+(?:films?|movies?|cinema|ones))?|subtitle[sd]?|dubbed|non[\s-]english"
    r"|(?:international|world)\s+(?:films?|movies?|cinema)"
    rf"|in\s+(?:{_NATIONS}|portuguese)"
    rf"|(?:something|anything|some|an?)\s+(?:{_NATIONS})\b(?!\s+(?:kiss|fries|toast|press|door|braid|horn))"
    r"|from\s+(?:france|italy|japan|germany|spain|india|china|korea|hong\s+kong|sweden|russia|mexico|britain|england|iran)"
    rf"|(?:{_NATIONS})\s+(?:films?|movies?|cinema|ones|stuff|flicks?|comed(?:y|ies)|dramas?|thrillers?|horror|romances?"
    r"|westerns?|animation|cartoons?|anime))\b", re.I)
CREW = re.compile(r"\b(?:(?P<preposition>by|with|from|of|starring)\s+)?(?:the\s+)?(?:same|that|this)\s+"
                  r"(?:director|actor|actress|writer|screenwriter|filmmaker|composer|cast|star)s?\b",
                  re.I)  # "what else by the same director?"
STREAMING = re.compile(r"\b(?:on|from)\s+(?:netflix|hulu|(?:amazon\s+)?prime(?:\s+video)?|amazon|disney\s*(?:\+|plus)|hbo(?:\s+max)?"
                       r"|youtube|apple\s+tv)\b|\b(?:(?:i|we)\s+can\s+|to\s+)?stream(?:ing|able)?(?:\s+(?:now|tonight|free))?\b", re.I)
UNHELD = {"awards": AWARDS, "runtime": RUNTIME, "language": LANGUAGE, "crew": CREW,  # ML-100k has no such data
          "streaming": STREAMING}
_LEAD = re.compile(r"^(?:something|anything|an?|nothing|really|very|fairly|kinda|pretty|quite)\s+", re.I)


def note_unheld_data(update: Update, text: str) -> None:
    """Say plainly what the catalogue holds no data on: "best picture winners" listed popular films without a
    word, "oscar winning dramas" quoted “oscar winning” as words it could not match; "something short and
    funny" and "any good foreign films?" said nothing of the length or the language (or matched "foreign" in
    titles). The words leave the text query and the generic "I can't match" line."""
    if update.question is not None or update.off_topic:
        return
    said_words: set[str] = set()
    crew: list[str] = []  # "…starring the same cast as friends": a "can't match" line holding these goes too
    for kind, pattern in UNHELD.items():
        matches = list(pattern.finditer(text))
        if kind == "crew":
            crew = [m.group(0).lower() for m in matches]
        found = [_crew_films(m) if kind == "crew" else _LEAD.sub("", m.group(0)) for m in matches]
        for said in found:
            said_words |= {t for t, _, _ in tokens(said)}
            if (kind, said) not in update.missing:
                update.missing.append((kind, said))
        if found and update.query:  # "picture" and "winners" matched titles
            update.query = " ".join(pattern.sub(" ", update.query).split()) or None
    if said_words:  # a generic "can't match" line made only of those words (and filler) goes
        update.missing = [(k, words) for k, words in update.missing
                          if k not in ("rest", "plot") or not ({t for t, _, _ in tokens(words)} <= said_words | FILLER
                                                                or any(c in words.lower() for c in crew))]


def _crew_films(crew: re.Match) -> str:
    """"by the same director" -> "films by the same director", "same actors" -> "films with the same actors"."""
    said = " ".join(crew.group(0).lower().split())
    if crew.group("preposition"):
        return f"films {said}"
    return f"films {'with' if re.search(r'actor|actress|cast|star', said) else 'by'} {said}"


def read_by_rules(text: str, genres) -> bool:
    """Whether the rule lexicons use these words: a genre ("lighthearted"), violence ("nothing too violent"
    leaves out the violent genres), an era ("black and white") or years against the list ("not so old")."""
    years = find_year_filters(text)
    return (bool(genres.names(text)) or years.min_year is not None or years.max_year is not None
            or bool(OLDER.search(text) or NEWER.search(text) or VIOLENCE.search(text)))
