"""The explanation audit counts what the independent check finds, per row, on whole lists."""

import pytest

from recommender.errors import RecommenderError
from recommender.evaluation.explanations import audit, format_markdown, picks_own, sample_users
from recommender.explain.facts import FactBuilder
from recommender.llm.explainer import Explainer, ExplainerConfig
from recommender.titles import TitleIndex
from recommender.types import Request
from tests.test_explainer import ALIEN, FARGO, HEAT, RONIN, SCREAM, FakeRetriever, FakeWriter, catalog, recs_for

GOOD = "You rated “Heat” 5/5; 31 of its 45 viewers also saw “Ronin”."


class Lists:
    """The facade's parts the audit uses, with a fixed list and a fake LLM."""

    def __init__(self, texts):
        self.catalog = catalog()
        self.titles = TitleIndex(self.catalog)
        self.facts = FactBuilder(self.catalog, FakeRetriever(len(self.catalog)))
        self.explainer = Explainer(FakeWriter(texts), self.catalog, ExplainerConfig(), facts=self.facts)

    def rank(self, request, k):
        items = [i for i in (RONIN, FARGO, SCREAM, ALIEN) if i not in request.exclude]
        return recs_for(items)[:k]

    def quick_cards(self, request, recs, cache=None):
        return self.explainer.quick_cards(request, recs, cache)

    def explain_list(self, request, recs, cache=None, shown=None):
        return self.explainer.explain_list(request, recs, cache, shown=shown)


def test_audit_counts_claims_in_drafts_but_never_in_shown_cards():
    lists = Lists({0: GOOD, 1: "Fargo is a comedy by Tom Hanks.", 2: GOOD})
    result = audit(lists, [("user 1", Request([HEAT], [5.0]))], k=3, progress=False)
    s = result.summary()
    assert s["explanations"] == 3 and s["lists"] == 1
    assert s["drafts"]["unsupported_claims"]["genre"] == 1 and s["drafts"]["unsupported_claims"]["person"] >= 1
    assert s["shown"]["unsupported_total"] == 0 and s["plain"]["unsupported_total"] == 0
    assert s["drafts"]["duplicate_skeleton_share"] == pytest.approx(1 / 3, abs=1e-3)  # card 3 repeats card 1
    assert s["shown"]["duplicate_skeleton_share"] == 0
    assert s["shown_written_by_llm"] == pytest.approx(1 / 3, abs=1e-3)
    assert s["median_cards_rewritten_after_click"] == 1  # after "seen #1" only the new card is written
    assert "unsupported claims, all kinds" in format_markdown(result)


def test_discriminability_needs_the_texts_facts_to_fit_its_own_card_best():
    lists = Lists({})
    request = Request([HEAT], [5.0])
    sheets = [lists.facts.build(request, r) for r in recs_for([RONIN, FARGO])]
    assert picks_own(0, GOOD, sheets, ["Crime"])
    assert not picks_own(1, GOOD, sheets, ["Crime"])  # Ronin's facts, on Fargo's card
    assert not picks_own(0, "A fine film.", sheets, ["Crime"])


def test_sample_users_only_from_the_allowed_half_and_a_clear_error_out_of_range():
    users = sample_users(["1", "2", "3", "4"], 2, seed=0, allowed=lambda u: u in ("2", "4"))
    assert sorted(users) == ["2", "4"]
    with pytest.raises(RecommenderError, match="between 1 and 2"):
        sample_users(["1", "2", "3", "4"], 3, allowed=lambda u: u in ("2", "4"))
