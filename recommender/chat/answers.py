"""Replies built from the catalogue and the dialogue: answers to questions about a listed item ("what is #1
about?", "why #4?", "is #3 scary?"), the plain statement of what the data lacks, and the list's heading.

Answers never change the list or the request, and say nothing the catalogue does not hold.
"""

from __future__ import annotations

import re

from recommender.chat.degrees import MOOD_WORDS
from recommender.chat.item_questions import NAMES_A_POSITION, POINTS_AT_IT
from recommender.chat.markdown import escape
from recommender.chat.state import DialogueState, Question, Update
from recommender.data.types import Catalog

MISSING = {
    "people": "I have no cast or crew data, so I can't search for {what}.",
    "crew": "I have no cast or crew data, so I can't find {what}.",
    "plot": "I have no plot summaries, so I can't check for {what}.",
    "awards": "I have no awards data, so I can't check for {what}.",
    "runtime": "I have no running times, so I can't check for {what}.",
    "language": "I have no language or country data, so I can't check for {what}.",
    "streaming": "I have no data on where films are streaming, so I can't check for {what}.",
    "rest": "I have no descriptions of the films, only titles, years and genres, so I can't match {what}.",
    "topic": "I have no plot summaries, so I matched {what} by genre only.",
}


CATALOGUE = "catalogue"  # the reply says what the catalogue holds (the chat knows it, this module does not)
SMALL_TALK = [  # (whole message, the reply's opening); the chat's help follows
    (r"(?:hi|hello|hey|hiya|howdy|good (?:morning|afternoon|evening))(?: there)?", "Hi!"),
    (r"(?:(?:perfect|great|awesome|cool|nice|lovely|excellent|brilliant)\W+)?"
     r"(?:thanks|thank you|thx|ty|cheers)(?: (?:a lot|so much|very much))?(?:\W+(?:bye|goodbye|see you|see ya|"
     r"that'?s all(?: for now)?|that'?s it|great|perfect|awesome|cool|(?:that'?s|that is|this is) (?:great|perfect|"
     r"awesome|cool|helpful|nice|lovely|good)|(?:these|they|this|that|those) (?:look|looks|sound|sounds) (?:great|"
     r"good|perfect|awesome)))*", "You're welcome!"),  # "thanks, that's great" said "I didn't find a request"
    (r"(?:bye|goodbye|see you|see ya|that'?s all(?: for now)?|that'?s it)", "Goodbye, and enjoy the film!"),
    (r"(?:no|nah|nope)(?:\W+(?:thanks|thank you|thx|i'?m good|i'?m fine|not now|not really))+|i'?m good|all good",
     "No problem."),  # "no thanks" was answered "I can only help you choose movies"
    (r"(?:help|what can you do|how does this work|what do you do|how do i use (?:this|you)|who are you|what are you"
     r"|what is this|what'?s this(?: app| thing)?|how do you work)", "I recommend movies."),
    # "what movies do you have?" was answered "I can only help you choose movies, so I left that aside"
    (r"(?:what|which) (?:movies|films) (?:do you (?:have|know)|are (?:there|in (?:here|it))|can you recommend)"
     r"|how many (?:movies|films) (?:do you (?:have|know)|are (?:there|in (?:here|it)))|what'?s in (?:your|the) "
     r"(?:catalog(?:ue)?|database|collection|library)|(?:how|what) (?:new|old|recent) are (?:your|the) (?:movies|films)",
     CATALOGUE),
]
_GREETING = r"(?:(?:hi|hello|hey|hiya|howdy|good (?:morning|afternoon|evening))(?: there)?\W+)?"  # "hi! what can you do?"
SMALL_TALK = [(re.compile(rf"\W*{_GREETING}(?:ok(?:ay)?\W+)?(?:{p})\W*", re.I), reply) for p, reply in SMALL_TALK]


def catalogue_sentence(films: int, year_range: tuple[int, int] | None) -> str:
    """"what movies do you have?": how many films, of which years, and what is known of them."""
    years = f", from {year_range[0]} to {year_range[1]}" if year_range else ""
    return (f"I know {films:,} movies{years}: their titles, years and genres, and how people here rated them "
            "(no plots, cast or running times).")


def small_talk_reply(text: str) -> str | None:
    """The opening of the reply to a greeting, a thank-you or a request for help ("hello", "thanks!",
    "what can you do?"), else None."""
    return next((reply for pattern, reply in SMALL_TALK if pattern.fullmatch(text)), None)


_ABOUT = (r"(?:movies?|films?|flicks?)\s+(?:(?:that'?s|that is|which is)\s+)?(?:about|set (?:in|on|at|during)|with|where)"
          r"\s+(?=\S)")
LEAD_NOUN = re.compile(rf"^(?:(?:a|an|the|some)\s+)?(?:(?:really\s+|very\s+)?(?:good|great|nice|decent)\s+(?=\S)"
                       rf"(?:{_ABOUT})?|{_ABOUT})", re.I)
# quoted: "the ocean", not "movie about the ocean"; "christmas movie", not "good christmas movie"


UNQUOTED = ("people", "crew")  # said in the reply's own words: Tom Hanks, films by the same director


def missing_data_reply(missing: list[tuple[str, str]], understood_more: bool, kept: bool = False) -> str:
    """'I have no cast or crew data, so I can't search for Tom Hanks. …' ('' when nothing is missing).
    `kept`: the request on screen stays, so the list still follows it."""
    if not missing:
        return ""
    parts, said = [], {}
    for kind in MISSING:
        spans = [text.title() if kind == "people" and text.islower() else text if kind == "crew"
                 else LEAD_NOUN.sub("", text) or text
                 for k, text in missing if k == kind]  # "jim carrey": Jim Carrey; "movie about the ocean": the ocean
        if spans:
            said[kind] = " or ".join(escape(s) if kind in UNQUOTED else f"“{escape(s)}”" for s in dict.fromkeys(spans))
            parts.append(MISSING[kind].format(what=said[kind]))
    if "plot" in said and "topic" in said:  # one "I have no plot summaries", not two in a row
        parts.remove(MISSING["topic"].format(what=said["topic"]))
        plot = parts.index(MISSING["plot"].format(what=said["plot"]))
        parts[plot] = parts[plot][:-1] + f"; I matched {said['topic']} by genre only."
    if all(kind == "topic" for kind, _ in missing):
        return " ".join(parts)
    if kept:
        return " ".join(parts + ["The list still follows what you asked for before."])
    tail = ("The picks below use the rest of your message." if understood_more
            else "Here are picks from what else I know instead.")
    return " ".join(parts + [tail])


PEOPLE_QUESTION = re.compile(r"\bwho(?:'s|\s+is|\s+are|\s+was)?\s+(?:directed|direct|made|wrote|stars?|starring|plays?|acts?|in)\b"
                             r"|\b(?:director|directors|directed|actors?|actress(?:es)?|cast|starring|stars)\b", re.I)


# questions about data the catalogue lacks, and what the answer says of each; the first that matches wins
UNHELD_QUESTIONS = {
    "people": (PEOPLE_QUESTION, "I have no cast or crew data, so I can't say who made it or who is in it."),
    "runtime": (re.compile(r"\bhow\s+long\b(?!\s+ago)|\brun(?:ning)?[\s-]?time\b|\blength\b|\bhow\s+many\s+(?:minutes|hours)\b",
                           re.I), "I have no running times, so I can't say how long it is."),
    "language": (re.compile(r"\b(?:what|which)\s+language\b|\bsubtitle[sd]?\b|\bdubbed\b|\bin\s+english\b"
                            r"|\b(?:what|which)\s+country\b|\bwhere\s+(?:is|was)\s+it\s+(?:made|from|filmed|shot)\b", re.I),
                 "I have no language or country data, so I can't say where it is from or what language it is in."),
    "awards": (re.compile(r"\boscars?\b|\bawards?\b|\bnominated\b", re.I),
               "I have no awards data, so I can't say what it won."),
    "source": (re.compile(r"\btrue\s+story\b|\breal\s+(?:events?|life|story)\b|\bbased\s+on\b|\bremake\b|\badapt(?:ed|ation)\b",
                          re.I), "I have no data on sources or true stories, so I can't say what it is based on."),
    "where": (re.compile(r"\bwhere\s+(?:can|could|do|should|would)\s+(?:i|we|you)\s+(?:watch|see|stream|find|rent|buy|get)\b"
                         r"|\b(?:netflix|hulu|prime\s+video|amazon|disney\s*\+|disney\s+plus|hbo|itunes|youtube)\b"
                         r"|\bstream(?:ing|able|ed)?\b|\bon\s+(?:dvd|blu-?ray|tv)\b|\banywhere\b"
                         r"|\b(?:rent|buy|download|purchase)\s+(?:it|this|that|them|#\s*\d+)\b", re.I),
              "I have no data on where films are streaming, sold or rented."),
}

MOOD = re.compile(MOOD_WORDS)
_ASKS = re.compile(r"^\W*(?:can|could|where|is|are|does|do|will|would)\b|\?\s*$", re.I)
_THE_LIST = re.compile(r"\b(?:these|them|those|all\s+of\s+(?:these|them))\b", re.I)
_POINTS = re.compile(r"\b(?:it|this|that|them|these|#\s*\d+)\b", re.I)


def note_unheld_question(update: Update, text: str) -> None:
    """"who directed #1?" was answered "… I only know titles, years and genres (no plot summaries)", and "is Tom
    Hanks in #2?" might be answered from its genres: a question about who made or stars in an item is marked so
    the answer says there is no cast or crew data; "how long is #1?" (answered with its rating and "I have no
    plot summaries"), its language or its awards likewise."""
    question = update.question
    if question is None or question.ask not in ("about", "fit"):
        return
    question.unheld = next((kind for kind, (asks, _) in UNHELD_QUESTIONS.items() if asks.search(text)), "")
    if question.unheld and _THE_LIST.search(text) and not NAMES_A_POSITION.search(text):
        question.unclear = True  # "where can I find these?" was answered about #10, the model's pick


def unheld_question_read_as_off_topic(update: Update, state: DialogueState, text: str) -> None:
    """"can I stream it?" after a list (the model: off topic) said "I can only help you choose movies": a
    question about a film on screen for data the catalogue lacks gets that answer ("it": which film is settled
    later, by `item_questions.question_about_it`; the answer does not depend on it)."""
    if update.question is not None or not update.off_topic or not state.last_shown:
        return
    kind = next((kind for kind, (asks, _) in UNHELD_QUESTIONS.items() if asks.search(text)), "")
    if kind and _ASKS.search(text) and _POINTS.search(text):
        update.off_topic = False
        # "it" is settled later; "them" or "these" is no one film, and the answer is the same for each
        update.question = Question("about", state.last_shown[0], 1, unheld=kind, unclear=not POINTS_AT_IT.search(text))


def answer_question(question: Question, catalog: Catalog, explanation: str = "", standing=None) -> str:
    """The reply to a question about item #n, from its catalogue entry and (for "why") its explanation,
    which the card has or the caller renders from the item's facts; "is it any good?" from how it is rated
    here (`standing`, a `recommender.retrieval.ratings.Standing`; None: no ratings)."""
    if question.unclear and question.unheld:  # "where can I find it?": the same answer for every film
        return UNHELD_QUESTIONS[question.unheld][1]
    if question.unclear:  # "is it any good?" with nothing pointed at
        example = ("is #2 any good?" if question.quality
                   else {"why": "why #2?", "fit": "is #2 a comedy?"}.get(question.ask, "tell me more about #2"))
        return f"Which film do you mean? Say its number, as in “{example}”."
    item = catalog[question.item]
    title = f"**{escape(item.title)}**" + (f" ({item.year})" if item.year else "")
    name = f"#{question.position} is {title}" if question.position else title  # 0: a title not on the list
    genres = ", ".join(item.genres) or "no genre on record"
    film = f"{name}, {article(genres)} {genres} film."  # "#3 is **Cape Fear** (1991), a Thriller film."
    if question.unheld:
        return f"{film} {UNHELD_QUESTIONS[question.unheld][1]}"
    if question.quality:
        head = _fit(question, item, name, genres) if question.ask == "fit" else film
        return f"{head} {rating_sentence(standing)}"
    if question.ask == "fit":
        return _fit(question, item, name, genres)
    if question.ask == "why" and not question.position:
        return f"I did not list {title}. Ask for something like it (\"like {escape(item.title)}\") to see why it might fit."
    if question.ask == "why":
        return f"{name}: {explanation or 'it fits what you asked for.'}"
    tags = item.meta.get("tags") if isinstance(item.meta, dict) else None
    about = film
    if tags:
        about += f" People tag it: {', '.join(list(tags)[:6])}."
    if standing is not None:  # "tell me more about #3": how people here rated it is what there is to tell
        about += f" {rating_sentence(standing)}"
    if not item.text:
        about += (" I have no plot summaries." if standing is not None
                  else " I only know titles, years and genres (no plot summaries).")
    return about


FEW_RATINGS = 10  # fewer ratings than this say too little to judge a film by


def rating_sentence(standing) -> str:
    """"People here rate it 3.6/5 on average (171 ratings), above 62% of the films here."."""
    if standing is None:
        return "I have no ratings for it, so I can't say how good people found it."
    mean, count = f"{standing.mean:.1f}/5", standing.count
    if count < FEW_RATINGS:
        return f"Only {count} {'person' if count == 1 else 'people'} here rated it ({mean} on average), too few to say."
    above = min(round(100 * standing.rated_above), 99)  # "above 100% of the films here" was said of the best
    where = f"above {above}%" if above >= 50 else f"below {100 - above}%"
    return f"People here rate it {mean} on average ({count} ratings), {where} of the films here."


def _fit(question: Question, item, name: str, genres: str) -> str:
    checks = []
    if question.genres:
        has = [g for g in question.genres if g in item.genres]
        answer = "Yes" if len(has) == len(question.genres) else "Partly" if has else "No"
        if all(g.startswith("Children") for g in question.genres):  # "is it suitable for a 10 year old?" said
            lead = f"{name}," if question.position else f"{name} is"  # "No: #3 is The Full Monty (1997), Comedy."
            checks.append(f"{'Yes' if has else 'No'}: {lead} {'a' if has else 'not a'} Children's film ({genres}). "
                          "I have no age ratings, so I can't say more than its genres.")
        elif question.degree and (has or MOOD.fullmatch(question.degree)):  # "is #3 uplifting?" (the model: a
            # Comedy?) said "No: #3 is The Shawshank Redemption (1994), Drama.": a mood no genre can tell
            lead = f"{name}," if question.position else f"{name} is"  # not "#7 is Jaws (1975) is a Horror film"
            kind = f"{' and '.join(has)} film ({genres})" if has else f"{genres} film"
            checks.append(f"{lead} {article(kind)} {kind}; how {question.degree} it is, I can't tell from genres alone.")
        else:
            checks.append(f"{answer}: {name}, {genres}.")
        if any(g.startswith("Children") for g in question.genres) and len(question.genres) > 1:
            checks.append("I have no age ratings, only genres.")  # "is #1 appropriate for kids?" said "No: …"
    if question.min_year is not None or question.max_year is not None:
        low, high = question.min_year or 0, question.max_year or 9999
        inside = item.year is not None and low <= item.year <= high
        when = item.year or "an unknown year"
        if question.era:  # the catalogue has no colour data: the year is all it has to go on
            answer = "Probably" if inside else "Probably not"
            checks.append(f"{answer}: {name}, from {when}. I have no colour data; films from before 1960 were "
                          "mostly black and white.")
        else:
            checks.append(f"{'Yes' if inside else 'No'}: {name}, from {when}.")
    return " ".join(checks) or f"I can't tell that from titles, years and genres alone. {name}: {genres}."


def article(words: str) -> str:
    return "an" if words[:1].lower() in "aeiou" else "a"


def understood_besides_missing(update: Update) -> bool:
    """Whether the message asked for more than the data lacks (the list then uses that)."""
    return bool(update.wished_genres or update.references or update.query or update.exclude_genres
                or update.min_year is not None or update.max_year is not None or update.liked)


def describe_request(dialogue: DialogueState) -> str:
    """' for “funny space movies” · 1990–1999 · no Horror' (empty when nothing is active)."""
    c = dialogue.constraints
    parts = []
    if c.min_year is not None and c.max_year is not None:
        parts.append(f"{c.min_year}" if c.min_year == c.max_year else f"{c.min_year}–{c.max_year}")  # not "1994–1994"
    elif c.min_year is not None:
        parts.append(f"from {c.min_year}")
    elif c.max_year is not None:
        parts.append(f"up to {c.max_year}")
    if dialogue.wished_genres:
        parts.insert(0, " & ".join(dialogue.wished_genres))
    if c.include_genres:
        parts.append("only " + ", ".join(sorted(c.include_genres)))
    if c.exclude_genres:
        parts.append("no " + ", ".join(sorted(c.exclude_genres)))
    if c.less_known:
        parts.append("lesser-known")
    if c.acclaimed:
        parts.append("best rated")
    query = dialogue.query if not dialogue.query or len(dialogue.query) <= 60 else dialogue.query[:59] + "…"
    head = f" for “{query}”" if query else ""
    return head + (f" ({' · '.join(parts)})" if parts else "")


def years_beyond_the_catalogue(constraints, catalog: Catalog) -> str:
    """"The films here run from 1922 to 1998, so none is from 2000–2009." when the asked years miss every film of
    the catalogue ("something from the 2000s" said only "Nothing in the catalogue fits all of that"); else ''."""
    years = catalog.years[catalog.years > 0]
    low, high = constraints.min_year, constraints.max_year
    if not len(years) or (low is None and high is None):
        return ""
    first, last = int(years.min()), int(years.max())
    if (low is not None and low > last) or (high is not None and high < first):
        asked = f"{low}–{high}" if low is not None and high is not None else f"after {low - 1}" if low else f"before {high + 1}"
        return f"The films here run from {first} to {last}, so none is from {asked}."
    return ""


def few_of_the_wished_genres(wished, rows) -> str:
    """"Only 6 of these are Crime or Mystery.": said when a list shows items without any wished genre (a
    wish is soft: ML-100k has six Crime or Mystery films from the 1970s, so "gritty detective movies from
    the 70s" went on with Star Wars and Willy Wonka, unexplained). Empty when every item has one."""
    matching = sum(bool(set(row.genres) & set(wished)) for row in rows)
    if not wished or not rows or matching == len(rows):
        return ""
    names = " or ".join(wished)
    # items with a wished genre always rank first (retrieval's genre tiers), so a list that goes on without
    # one has shown every such item that fits the rest of the request
    if not matching:
        return (f"I have no more {names} that fits the rest of your request, so these are the closest "
                f"films without it.")
    return (f"Only {matching} of these {'is' if matching == 1 else 'are'} {names}: that is all I have that fits "
            f"the rest of your request, so the others are the closest films without it.")
