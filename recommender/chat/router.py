"""Which parser reads a message: the rule parser where it is exact and instant, the LLM intent model
for everything free-form.

The rule parser (`parse.py`) handles what it understands completely: "reset", the answer to a "which
one did you mean?" question, "#2 seen", "not that one", "more like #3", "more please", "no horror",
"only after 1990", and titles typed exactly ("I loved Heat and Se7en"). A message with words left over
after those patterns (a free-form request), or a question ("what is #1 about?", "why #4"), goes to the
LLM intent model (`recommender.llm.intent_model`). If the model is not loaded, or its output does not
fit the schema, the rule parser's reading is used.

What the rule lexicons read in a free-form message is exact, so it also corrects the model's reading of a
new request (`merge_rules`): genre words the lexicon knows ("feel-good" is Comedy) set the wished genres,
exclusions ("no horror", "nothing violent") and years ("from the 80s") the model missed are added.
What the model may only say when the message says it too (a list position, an exclusion) is checked in
`grounding.py`, and which spans are titles, people or stories in `title_spans.py`.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from typing import NamedTuple

from recommender.chat.genre_words import NARROW_TOPICS
from recommender.chat.grounding import (
    about_the_viewer,
    add_to_request,
    drop_company,
    drop_unsaid_exclusions,
    drop_unsaid_seen,
    feedback_needs_words,
    keep_request_for_missing_data,
    more_like_a_listed_item,
    note_untold_story,
    question_about_an_unseen_title,
    question_about_named_title,
    question_needs_an_item,
    suitable_among_the_list,
    which_of_the_list,
    why_these,
    without_unpointed_positions,
)
from recommender.chat.cue_words import FILLER, GENERAL_ASK
from recommender.chat.degrees import less_gore_without_horror, note_degree, spare_the_wished_genre
from recommender.chat.intent import POSITION_LISTS
from recommender.chat.history_asks import ground_history_asks
from recommender.chat.targets import not_the_sequels
from recommender.chat.parse import parse_message
from recommender.chat.phrases import CLAUSE_END, NEGATIONS
from recommender.chat.popularity import apply_popularity_wish
from recommender.chat.state import DialogueState, Update
from recommender.chat.title_spans import (
    both_sides_of_meets,
    names_the_model_missed,
    not_compared_titles,
    people_by_name,
    title_as_a_kind,
    titles_the_model_missed,
    without_generic_titles,
)
from recommender.chat.understand import update_from_intent
from recommender.chat.year_phrases import NEWER, OLDER, find_year_filters
from recommender.title_text import normalise, tokens

log = logging.getLogger(__name__)

QUESTION = re.compile(r"\?|^\s*(?:what|why|how|is|are|does|do|did|which|who|tell me|can you tell|explain)\b", re.I)
MORE_INSTEAD = re.compile(r"\bwhat (?:would|do|else would|else do) you (?:recommend|suggest|pick) instead\b\s*\??", re.I)
ASKS_FOR_MORE = re.compile(r"\b(?:what|anything|something|any|got any)\s+(?:else|others?|more)\b\s*\??", re.I)


def is_question(text: str) -> bool:
    """A question about the list, not "I've seen When Harry Met Sally, what else?" (seen, and more)."""
    return QUESTION.search(GENERAL_ASK.sub(" ", ASKS_FOR_MORE.sub(" ", MORE_INSTEAD.sub(" ", text))).strip()) is not None


class Understood(NamedTuple):
    update: Update
    parser: str  # "rules" or "llm"
    seconds: float
    raw: str = ""  # the model's JSON, when the LLM read the message
    invalid: bool = False  # the model's output did not fit the schema (the rule parser's reading was used)


def rules_are_exact(text: str, rules: Update, state: DialogueState) -> bool:
    """Whether the rule parser understood every word of `text` (nothing left as a free-text request)."""
    if rules.kind != "message" or (state.pending is not None and not rules.query):
        return True
    return rules.understood and rules.query is None and not rules.non_english and not is_question(text)


class MessageRouter:
    def __init__(self, titles, genres, intent_parser=None, text_search: bool = False, mode: str = "auto"):
        """mode: "auto" (rules where exact, else the LLM), "rules" or "llm" (every message that is not
        empty goes to the model; for the benchmark)."""
        self.titles, self.genres, self.intent_parser = titles, genres, intent_parser
        self.text_search, self.mode = text_search, mode

    def understand(self, text: str, state: DialogueState) -> Understood:
        started = time.perf_counter()
        rules = parse_message(text, state, self.titles, self.genres)
        as_genres = read_as_genres(rules, self.genres) if self.mode != "llm" else None
        if as_genres is not None and not as_genres.non_english and not is_question(text):
            add_to_request(as_genres, state, text, self.genres)
            self._in_this_conversation(as_genres, state, text)
            note_narrow_topics(as_genres, text)
            return Understood(as_genres, "rules", time.perf_counter() - started)
        use_rules = (self.intent_parser is None or self.mode == "rules" or rules.kind == "empty"
                     or (self.mode == "auto" and rules_are_exact(text, rules, state)))
        if use_rules:
            if rules.kind == "message":
                self._in_this_conversation(rules, state, text)
            return Understood(rules, "rules", time.perf_counter() - started)
        from recommender.llm.intent_model import safe_parse

        parsed = safe_parse(self.intent_parser, text, len(state.last_shown))
        if parsed is None:
            log.warning("the intent model's output did not fit the schema; using the rule parser for %r", text)
            return Understood(rules, "rules", time.perf_counter() - started, invalid=True)
        named = any(getattr(parsed.intent, f) for f in POSITION_LISTS) and self._names_a_title(text)  # only then asked
        listed = [normalise(self.titles.catalog[i].title) for i in state.last_shown]  # "the alien one"
        intent = feedback_needs_words(without_unpointed_positions(parsed.intent, text, named, listed), text)
        intent = people_by_name(not_compared_titles(question_needs_an_item(intent, text, rules, state), text),
                                text, self.titles)
        if self.genres is not None:
            intent = without_generic_titles(intent, self.titles, self.genres.words, FILLER)
        update = update_from_intent(intent, state, self.titles, self.text_search)
        titles_the_model_missed(update, rules, self.titles, text)
        asked_genres = self._asked_genres(rules)
        question_about_named_title(update, intent, rules, state, asked_genres, text)
        which_of_the_list(update, asked_genres, text)
        suitable_among_the_list(update, state, asked_genres, text)
        why_these(update, text)
        note_degree(update, text)
        drop_unsaid_exclusions(update, text)
        drop_unsaid_seen(update, text)
        drop_company(update)
        question_about_an_unseen_title(update, rules, state, text)
        both_sides_of_meets(update, rules, text, self.titles)
        if self.genres is not None:
            title_as_a_kind(update, text, self.titles, self.genres.words)
        names_the_model_missed(update, text, self.titles)
        update = merge_rules(update, rules, self.genres)
        if self.genres is not None:
            note_untold_story(update, text, self.genres, FILLER)
            note_unread_words(update, rules, self.genres)
        keep_request_for_missing_data(update, state, text)
        add_to_request(update, state, text, self.genres)
        self._in_this_conversation(update, state, text)
        more_like_a_listed_item(update, state, self.titles)
        note_narrow_topics(update, text)
        ask_despite_unknown_titles(update, intent, rules)
        update.non_english = rules.non_english
        update.ignored_instruction = rules.ignored_instruction
        return Understood(update, "llm", time.perf_counter() - started, parsed.raw)

    def _in_this_conversation(self, update: Update, state: DialogueState, text: str) -> None:
        """What the conversation so far changes in any reading of a message: less of a trait keeps the genre
        the request wishes ("not so gory" after horror), and asks about the user's own history."""
        spare_the_wished_genre(update, state, text)
        less_gore_without_horror(update, state, text, self.genres.lookup("horror") if self.genres is not None else None)
        ground_history_asks(update, state, text, self.titles)
        not_the_sequels(update, state, text, self.titles)
        apply_popularity_wish(update, state, text)

    def _names_a_title(self, text: str) -> bool:
        common = self.genres.words if self.genres is not None else frozenset()
        return any(m.item is not None for m in self.titles.find_mentions(text, common))

    def _asked_genres(self, rules: Update) -> list[str]:
        if self.genres is None or not rules.query:
            return []
        return genre_reading(rules.query, self.genres)[0]


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
    if update.more and not rules.more and genres is not None and rules.query and genre_reading(rules.query, genres)[0]:
        update.more, update.new_request = False, True  # "add some comedy to that": the model said "more"
    if update.more and rules.exclude_genres and not rules.more:  # "ugh, no more kids movies": the model said "more"
        update.more = False
        update.set_exclusions(list(dict.fromkeys(update.exclude_genres + rules.exclude_genres)))
    if update.more and (rules.min_year or rules.max_year):  # "anything newer than these?"
        update.min_year, update.max_year = rules.min_year, rules.max_year
    question = update.question
    if question is not None and question.ask == "fit" and question.min_year is None and question.max_year is None \
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
    if genres is not None:
        update.missing = [(kind, text) for kind, text in update.missing  # "the more classic the better": no data missing
                          if kind == "people" or not read_by_rules(text, genres) and genres.leftover(text, FILLER)]
    return update


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
                      r"|i (?:want|need)|i'?d like|i'?m looking for|looking for)\s+(?:(?:an?|some)\s+)?"
                      r"(?:(?:movie|film|something)\s+(?=\w))?", re.I)


def without_ask_head(text: str) -> str:
    """"can you find a sports movie" -> "sports movie": the words worth quoting back."""
    return ASK_HEAD.sub("", text) or text


NARROW = re.compile(r"\b(?:" + "|".join(NARROW_TOPICS) + r")\b", re.I)


def note_narrow_topics(update: Update, text: str) -> None:
    """"a sci fi flick w/ a killer robot" lists science fiction, and the reply says the robot was matched by
    genre only: few films of the genre have one, and the catalogue has no plot to check."""
    if not update.wished_genres or update.question is not None or update.off_topic:
        return
    for m in NARROW.finditer(text):
        clause = CLAUSE_END.split(text[:m.start()])[-1]
        if not set(t for t, _, _ in tokens(clause)) & NEGATIONS and ("topic", m.group(0)) not in update.missing:
            update.missing.append(("topic", m.group(0)))


def read_by_rules(text: str, genres) -> bool:
    """Whether the rule lexicons use these words: a genre ("lighthearted"), an era ("black and white") or
    years against the list on screen ("not so old")."""
    years = find_year_filters(text)
    return (bool(genres.names(text)) or years.min_year is not None or years.max_year is not None
            or bool(OLDER.search(text) or NEWER.search(text)))
