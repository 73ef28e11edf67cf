"""Which parser reads a message: the rule parser where it is exact and instant, the LLM intent model
for everything free-form.

The rule parser (`parse.py`) handles what it understands completely: "reset", the answer to a "which
one did you mean?" question, "#2 seen", "not that one", "more like #3", "more please", "no horror",
"only after 1990", and titles typed exactly ("I loved Heat and Se7en"). A message with words left over
after those patterns (a free-form request), or a question ("what is #1 about?", "why #4"), goes to the
LLM intent model (`recommender.llm.intent_model`). If the model is not loaded, or its output does not
fit the schema, the rule parser's reading is used.

What the rule lexicons read in a free-form message is exact, so it also corrects the model's reading of a
new request (`merge.merge_rules`): genre words the lexicon knows ("feel-good" is Comedy) set the wished
genres, exclusions ("no horror", "nothing violent") and years ("from the 80s") the model missed are added.
What the model may only say when the message says it too (a list position, an exclusion) is checked in
`grounding.py`, and which spans are titles, people or stories in `title_spans.py`.
"""

from __future__ import annotations

import logging
import re
import time
from typing import NamedTuple

from recommender.chat.answers import note_unheld_question, unheld_question_read_as_off_topic
from recommender.chat.company import ages_are_no_years, drop_company, grown_ups_now, hint_for_company, wish_for_the_kids
from recommender.chat.cue_words import FILLER, GENERAL_ASK, RESET_WORDS
from recommender.chat.degrees import (
    allowing_is_no_new_wish,
    gentle_for_children,
    less_gore_without_horror,
    milder_than_the_list,
    note_degree,
    note_era,
    note_studio,
    note_untold_kind,
    note_untold_taste,
    spare_the_wished_genre,
    wish_lifts_exclusion,
)
from recommender.chat.forget import forget_a_wish
from recommender.chat.grounding import (
    add_to_request,
    drop_unsaid_exclusions,
    drop_unsaid_likes,
    drop_unsaid_seen,
    feedback_needs_words,
    keep_request_for_missing_data,
    more_like_a_listed_item,
    more_of_the_same,
    note_untold_story,
    question_about_an_unseen_title,
    question_about_named_title,
    question_needs_an_item,
    without_unpointed_positions,
)
from recommender.chat.history_asks import ground_history_asks
from recommender.chat.intent import POSITION_LISTS
from recommender.chat.list_questions import (
    best_of_the_list,
    pick_of_the_list,
    seen_among_the_list,
    sort_the_list,
    suitable_among_the_list,
    which_of_the_list,
    why_these,
)
from recommender.chat.merge import (
    ask_despite_unknown_titles,
    genre_reading,
    merge_rules,
    note_narrow_topics,
    note_unheld_data,
    note_unread_words,
    read_as_genres,
)
from recommender.chat.parse import parse_message
from recommender.chat.phrases import find_named_on_list
from recommender.chat.holidays import ask_for_christmas
from recommender.chat.item_questions import (
    a_chosen_position,
    about_a_bare_position,
    asked_of_the_bot,
    asks_if_good,
    compared_titles,
    more_about_it,
    question_about_it,
    saved_for_later,
)
from recommender.chat.popularity import apply_acclaim_wish, apply_popularity_wish, apply_surprise_wish
from recommender.chat.recent import ask_for_recent
from recommender.chat.series import ask_about_series
from recommender.chat.state import DialogueState, Update
from recommender.chat.targets import not_the_sequels
from recommender.chat.title_spans import (
    both_sides_of_meets,
    names_the_model_missed,
    no_unknown_title_naming_a_person,
    not_compared_titles,
    people_by_name,
    settings_as_plot,
    title_as_a_kind,
    titles_the_model_missed,
    without_generic_titles,
)
from recommender.chat.understand import RESET_NOTE, update_from_intent
from recommender.title_text import normalise

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
    if rules.problems and not rules.query and all(p.startswith("There is no #") for p in rules.problems):
        return True  # "#2 seen" before any list: the model read "off-topic" or "seen #1"
    return rules.understood and rules.query is None and not rules.non_english and not is_question(text)


NO_GOING_BACK = ("I can't bring back an earlier list: say again what you'd like (e.g. *a comedy*), or *reset* to "
                 "start over.")


class MessageRouter:
    def __init__(self, titles, genres, intent_parser=None, text_search: bool = False, mode: str = "auto"):
        """mode: "auto" (rules where exact, else the LLM), "rules" or "llm" (every message that is not
        empty goes to the model; for the benchmark)."""
        self.titles, self.genres, self.intent_parser = titles, genres, intent_parser
        self.text_search, self.mode = text_search, mode

    def understand(self, text: str, state: DialogueState) -> Understood:
        started = time.perf_counter()
        bare = (about_a_bare_position(text, state) or a_chosen_position(text, state, self.titles)
                or saved_for_later(text, state, self.titles)
                or more_about_it(text, state) or sort_the_list(text, state) or seen_among_the_list(text, state)
                or forget_a_wish(text, state, self.genres))  # exact, no model
        if bare is not None:
            return Understood(bare, "rules", time.perf_counter() - started)
        rules = parse_message(text, state, self.titles, self.genres)
        asked = asked_of_the_bot(text, state, rules) or compared_titles(text, state, rules)  # "Heat or Fargo?"
        if asked is not None:
            return Understood(asked, "rules", time.perf_counter() - started)
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
            if rules.kind == "message":  # as any reading ("what have i watched?" was left unanswered)
                self._in_this_conversation(rules, state, text)
            return Understood(rules, "rules", time.perf_counter() - started, invalid=True)
        named = any(getattr(parsed.intent, f) for f in POSITION_LISTS) and self._names_a_title(text)  # only then asked
        intent = without_unpointed_positions(parsed.intent, text, named, self._listed(state))  # "the alien one"
        intent = feedback_needs_words(intent, text)
        intent = people_by_name(not_compared_titles(question_needs_an_item(intent, text, rules, state), text),
                                text, self.titles)
        intent = settings_as_plot(intent, text)
        if self.genres is not None:
            intent = without_generic_titles(intent, self.titles, self.genres.words, FILLER)
        update = update_from_intent(intent, state, self.titles, self.text_search)
        # "go back to the first list" (the model: reset) forgot everything; "go back to the thrillers" asks again
        if (update.kind == "reset" and not RESET_WORDS.search(text) and not rules.query_hints
                and not (self.genres is not None and self.genres.names(text))):
            return Understood(Update(notes=[NO_GOING_BACK]), "llm", time.perf_counter() - started, parsed.raw)
        titles_the_model_missed(update, rules, self.titles, text)
        asked_genres = self._asked_genres(rules)
        question_about_named_title(update, intent, rules, state, asked_genres, text)
        which_of_the_list(update, asked_genres, text)
        suitable_among_the_list(update, state, asked_genres, text)
        best_of_the_list(update, state, text)
        said_genres = self.genres.names(text) if self.genres is not None else []
        pick_of_the_list(update, state, asked_genres or said_genres, text, self.titles.catalog)
        why_these(update, text)
        note_degree(update, text)
        drop_unsaid_exclusions(update, text)
        drop_unsaid_seen(update, text)
        drop_unsaid_likes(update, state, text, self.titles)
        drop_company(update)
        question_about_an_unseen_title(update, rules, state, text)
        both_sides_of_meets(update, rules, text, self.titles)
        if self.genres is not None:
            title_as_a_kind(update, text, self.titles, self.genres.words)
        names_the_model_missed(update, text, self.titles)
        no_unknown_title_naming_a_person(update)
        update = merge_rules(update, rules, self.genres)
        if update.reset_first and not RESET_WORDS.search(text):  # "go back to the thrillers": no reset
            update.reset_first, update.notes = False, [n for n in update.notes if n != RESET_NOTE]
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
        horror = self.genres.lookup("horror") if self.genres is not None else None
        less_gore_without_horror(update, state, text, horror)
        milder_than_the_list(update, state, text, horror)
        note_untold_kind(update, text, self.genres, state)
        children = self.genres.lookup("children") if self.genres is not None else None
        wish_for_the_kids(update, text, children, horror)
        grown_ups_now(update, state, text, children, horror)
        gentle_for_children(update, text, children, horror)
        ground_history_asks(update, state, text, self.titles)
        not_the_sequels(update, state, text, self.titles)
        apply_surprise_wish(update, state, text)
        apply_popularity_wish(update, state, text)
        apply_acclaim_wish(update, state, text)
        note_unheld_data(update, text)
        unheld_question_read_as_off_topic(update, state, text)
        note_unheld_question(update, text)
        ask_about_series(update, text)
        ages_are_no_years(update, text)
        hint_for_company(update, text)
        note_era(update, text)
        note_studio(update, text, self.genres.lookup("children") if self.genres is not None else None)
        note_untold_taste(update, text)
        ask_for_christmas(update, text)
        ask_for_recent(update, state, text, self.titles.year_range[1] if self.titles.year_range else None)
        if update.question is not None:
            question_about_it(update, state, text, self._names_a_film(text, state))
        asks_if_good(update, text, self.genres)
        allowing_is_no_new_wish(update, state, text)
        wish_lifts_exclusion(update, state)
        more_of_the_same(update, state, text)

    def _listed(self, state: DialogueState) -> list[str]:
        """The normalised titles on screen, in order: for "the alien one"."""
        return [normalise(self.titles.catalog[i].title) for i in state.last_shown]

    def _names_a_film(self, text: str, state: DialogueState) -> bool:
        """Whether the message names a film by its title: "Heat", or a listed one as "the alien one"."""
        return bool(find_named_on_list(text, self._listed(state))) or self._names_a_title(text)

    def _names_a_title(self, text: str) -> bool:
        common = self.genres.words if self.genres is not None else frozenset()
        return any(m.item is not None for m in self.titles.find_mentions(text, common))

    def _asked_genres(self, rules: Update) -> list[str]:
        if self.genres is None or not rules.query:
            return []
        return genre_reading(rules.query, self.genres)[0]
