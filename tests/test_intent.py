"""The intent schema, the constrained decoder, the training-data generator and Intent -> Update."""

import json

import numpy as np
import pytest

from recommender.chat.intent import (FIELDS, Intent, IntentError, check_intent, intent_schema, message_spans,
                                     parse_intent, trim_span)
from recommender.chat.intent_data import IntentGenerator
from recommender.chat.state import DialogueState
from recommender.chat.years import year_candidates
from recommender.chat.understand import update_from_intent
from recommender.llm.decoding import GrammarConstraint, constrained_decode, ll_tokenizer_for
from recommender.titles import TitleIndex
from tests.chat_fakes import index_of, make_catalog

GENRES = ["Action", "Comedy", "Horror", "Romance", "Sci-Fi", "War"]


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from recommender.llm.convert import ensure_default_checkpoint

    return AutoTokenizer.from_pretrained(ensure_default_checkpoint("~/.cache/recommender/models", progress=False))


def test_intent_json_round_trip_leaves_out_empty_fields_in_field_order():
    intent = Intent(action="request", like=["Alien"], genres=["Comedy"], years="1990-1999", people=["Tom Hanks"])
    text = intent.to_json()
    assert text == '{"action":"request","like":["Alien"],"genres":["Comedy"],"years":"1990-1999","people":["Tom Hanks"]}'
    assert parse_intent(text, set(GENRES)) == intent
    assert list(json.loads(text)) == [f for f in FIELDS if f in json.loads(text)]
    assert intent.year_range == (1990, 1999) and Intent(years="-1979").year_range == (None, 1979)


@pytest.mark.parametrize("bad, problem", [
    ('{"action":"dance"}', "action must be one of"),
    ('{"action":"request","genres":["Jazz"]}', "catalogue's genres"),
    ('{"action":"feedback","seen_items":[11]}', "between 1 and 10"),
    ('{"action":"request","years":"90s"}', "years must look like"),
    ('{"action":"request","mood":"happy"}', "unknown intent field"),
    ('{"action":"request","people":[""]}', "non-empty strings"),
    ('[1, 2]', "JSON object"),
    ('{"action":', "not JSON"),
])
def test_an_intent_that_does_not_fit_the_schema_names_the_problem(bad, problem):
    with pytest.raises(IntentError, match=problem):
        parse_intent(bad, set(GENRES), max_position=10)


def test_spans_are_runs_of_whole_words_without_outer_punctuation():
    spans = message_spans('I loved "Heat (1995)", and Mars Attacks!')
    assert "Heat (1995)" in spans and "Mars Attacks" in spans and "I loved" in spans
    assert "Hea" not in spans and "Attacks!" not in spans
    assert trim_span("(hi)") == "(hi)" and trim_span("Heat (1995)),") == "Heat (1995)"


def test_schema_decoding_always_parses_and_copies_spans_from_the_message(tokenizer):
    """Whatever the model prefers (here: random logits), the output fits the schema."""
    message = "something like Alien but funnier, from the 90s, no horror, with Tom Hanks"
    schema = intent_schema(message, GENRES, max_position=10)
    for seed in range(8):
        rng = np.random.default_rng(seed)
        constraint = GrammarConstraint.json(ll_tokenizer_for(tokenizer), schema, [tokenizer.eos_token_id])
        ids = constrained_decode(lambda ids: rng.normal(size=len(tokenizer)).astype(np.float32), [1],
                                 constraint, max_new_tokens=400)
        intent = parse_intent(tokenizer.decode(ids), set(GENRES), max_position=10)
        for name in ("like", "liked", "disliked", "seen", "people", "plot", "rest"):
            assert set(getattr(intent, name)) <= set(message_spans(message))


def test_forced_tokens_go_in_with_the_next_step(tokenizer):
    """A model that always prefers the target's next token writes it exactly, and the keys, quotes and
    brackets the grammar forces cost no model step of their own."""
    message = "a scary movie from the 80s"
    target = Intent(action="request", genres=["Horror"], years="1980-1989").to_json()
    target_ids = tokenizer(target, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    fed: list[list[int]] = []

    def step(ids):
        fed.append(list(ids))
        done = sum(len(f) for f in fed[1:])
        logits = np.zeros(len(tokenizer), dtype=np.float32)
        logits[target_ids[min(done, len(target_ids) - 1)]] = 10.0
        return logits

    constraint = GrammarConstraint.json(ll_tokenizer_for(tokenizer), intent_schema(message, GENRES),
                                        [tokenizer.eos_token_id])
    out = constrained_decode(step, [1, 2, 3], constraint, max_new_tokens=100)
    assert tokenizer.decode(out) == target
    assert len(fed) - 1 < len(out) * 0.7  # forced keys, quotes and brackets take no step of their own


def test_generated_examples_fit_the_schema_and_their_spans_are_in_the_message():
    catalog = make_catalog()
    examples = IntentGenerator(catalog, seed=3).examples(300)
    genres = {g for item in catalog for g in item.genres}
    for ex in examples:
        check_intent(ex.intent, genres, max_position=max(ex.shown, 1))
        spans = set(message_spans(ex.message))
        for name in ("like", "liked", "disliked", "seen", "people", "plot", "rest"):
            assert set(getattr(ex.intent, name)) <= spans, (ex.message, name)
        assert ex.intent.action in ("request", "more", "feedback", "question", "reset", "off_topic")
    assert [e.message for e in IntentGenerator(catalog, seed=3).examples(20)] == [e.message for e in examples[:20]]
    actions = {e.intent.action for e in examples}
    assert actions == {"request", "more", "feedback", "question", "reset", "off_topic"}
    many = IntentGenerator(catalog, seed=4).examples(1000)
    for name in ("like", "liked", "disliked", "seen", "like_items", "liked_items", "seen_items", "genres",
                 "exclude_genres", "years", "people", "plot", "rest"):  # every field is taught
        assert sum(bool(getattr(e.intent, name)) for e in many) >= 10, name
    assert {e.intent.ask for e in examples} >= {"about", "why", "fit"}
    assert all(e.intent.years in year_candidates(e.message) for e in examples if e.intent.years)


def test_update_links_typed_titles_with_typos_and_reads_positions_and_questions():
    catalog = make_catalog()
    titles = TitleIndex(catalog)
    state = DialogueState(last_shown=[index_of(catalog, "Fargo"), index_of(catalog, "Toy Story")])
    intent = Intent(action="request", like=["Allien"], seen_items=[2], genres=["Comedy"], exclude_genres=["Horror"],
                    years="1990-1999", people=["Tom Hanks"])
    update = update_from_intent(intent, state, titles)
    assert update.references == [index_of(catalog, "Alien")]
    assert update.seen == [index_of(catalog, "Toy Story")]
    assert update.wished_genres == ["Comedy"] and update.exclude_genres == ["Horror"]
    assert (update.min_year, update.max_year) == (1990, 1999)
    assert update.missing == [("people", "Tom Hanks")] and update.new_request
    question = update_from_intent(Intent(action="question", ask="fit", item=1, genres=["Horror"]), state, titles)
    assert question.question.item == index_of(catalog, "Fargo") and question.question.genres == ["Horror"]
    assert not question.wished_genres  # a question asks, it does not wish
    bad = update_from_intent(Intent(action="feedback", seen_items=[7]), state, titles)
    assert bad.problems and "There is no #7" in bad.problems[0]


def test_years_or_exclusions_alone_refine_the_request_a_topic_replaces_it():
    catalog = make_catalog()
    titles = TitleIndex(catalog)
    state = DialogueState()
    state.apply(update_from_intent(Intent(action="request", like=["Alien"], genres=["Comedy"]), state, titles))
    state.apply(update_from_intent(Intent(action="request", years="1990-1999"), state, titles))
    assert state.wished_genres == ["Comedy"] and state.references == [index_of(catalog, "Alien")]
    assert (state.constraints.min_year, state.constraints.max_year) == (1990, 1999)
    state.apply(update_from_intent(Intent(action="request", genres=["Romance"]), state, titles))
    assert state.wished_genres == ["Romance"] and state.references == []
    # the years came with the last request; a new topic starts without them (they used to carry on)
    assert (state.constraints.min_year, state.constraints.max_year) == (None, None)
    request = state.to_request(None)
    assert request.wished_genres == ("Romance",)


@pytest.mark.parametrize("text, ranges", [
    ("from the 80s", ["1980-1989", "-1979", "1990-"]),
    ("early nineties", ["1990-1994", "1990-1999", "-1989", "2000-"]),
    ("between 1970 and 1985", ["1970-1985"]),
    ("after 1990", ["1991-"]), ("since 1990", ["1990-"]), ("before 1980", ["-1979"]),
    ("a comedy", []),
])
def test_year_candidates_hold_the_conventional_reading(text, ranges):
    candidates = year_candidates(text)
    assert set(ranges) <= set(candidates) and bool(candidates) == bool(ranges)


def test_the_schema_allows_only_the_messages_year_ranges():
    assert intent_schema("a comedy", GENRES)["properties"].get("years") is None
    assert "1980-1989" in intent_schema("from the 80s", GENRES)["properties"]["years"]["enum"]


class RecordingBackend:
    """decode_batch's contract, without a model: each row's result is its own text's code points."""

    def __init__(self, fail: bool = False):
        import threading

        self.batches, self.fail, self.entered = [], fail, threading.Event()

    def foreground(self):
        import contextlib

        return contextlib.nullcontext()

    def decode_batch(self, prefix, rests, policies, max_steps, adapter=False, background=False, joining=None):
        import time

        rests = list(rests)
        self.batches.append(rests)
        if self.fail:
            raise RuntimeError("the model broke")
        self.entered.set()
        for _ in range(5):  # five steps, each a chance to join
            time.sleep(0.05)
            rests += [rest for rest, _ in (joining() if joining else [])]
        for row, rest in enumerate(rests):
            yield row, [ord(c) for c in rest]


def test_messages_that_arrive_together_are_decoded_in_one_batch_and_each_caller_gets_its_own():
    import threading

    from recommender.llm.intent_model import Batcher

    backend = RecordingBackend()
    batcher = Batcher(backend, window_s=0.2)
    results = {}

    def parse(text):
        results[text] = batcher.decode("start", text, None, 10, "intent")

    threads = [threading.Thread(target=parse, args=(t,)) for t in ("ab", "cd", "ef")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert results == {t: [ord(c) for c in t] for t in ("ab", "cd", "ef")}
    assert batcher.batch_sizes == [3]


def test_a_failing_batch_fails_every_caller_instead_of_leaving_one_waiting():
    from recommender.llm.intent_model import Batcher

    with pytest.raises(RuntimeError, match="the model broke"):
        Batcher(RecordingBackend(fail=True)).decode("start", "ab", None, 10, "intent")


def test_a_message_that_arrives_during_a_batch_joins_it_instead_of_waiting_for_it():
    import threading

    from recommender.llm.intent_model import Batcher

    backend = RecordingBackend()
    batcher = Batcher(backend, window_s=0.0)
    results = {}

    def parse(text):
        results[text] = batcher.decode("start", text, None, 10, "intent")

    first = threading.Thread(target=parse, args=("ab",))
    first.start()
    assert backend.entered.wait(5)
    second = threading.Thread(target=parse, args=("cd",))
    second.start()
    first.join(5)
    second.join(5)
    assert results == {"ab": [97, 98], "cd": [99, 100]}
    assert batcher.batch_sizes == [1] and batcher.joined == 1 and backend.batches == [["ab", "cd"]]


def test_close_stops_the_worker_after_the_queued_messages_and_a_later_message_starts_a_new_one():
    from recommender.llm.intent_model import Batcher

    batcher = Batcher(RecordingBackend(), window_s=0.0)
    assert batcher.decode("start", "ab", None, 10, "intent") == [97, 98]
    worker = batcher.worker
    batcher.close()
    assert not worker.is_alive()
    assert batcher.decode("start", "cd", None, 10, "intent") == [99, 100]
    assert batcher.worker is not worker and batcher.worker.is_alive()
    batcher.close()
    assert not batcher.worker or not batcher.worker.is_alive()
