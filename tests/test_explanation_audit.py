from types import SimpleNamespace

import pytest

from recommender.errors import RecommenderError
from recommender.evaluation.explanations import audit_explanations, format_markdown, sample_users
from recommender.llm.explainer import Explainer, ExplainerConfig
from recommender.types import Evidence, Recommendation, Request
from tests.fakes import FakeBackend
from tests.test_explainer import ALIEN, FARGO, HEAT, SUSPECTS, catalog

REPLIES = {"Alien": " it is a romantic comedy.", "Usual Suspects": " like Heat, it is a crime story.",
           "Fargo": " if you liked Toy Story, it is a crime drama."}


def reply_for(prompt: str) -> str:
    answer = prompt.rsplit("You may like", 1)[1]
    return next(text for title, text in REPLIES.items() if title in answer)


class ThreeItems:
    """The facade's `rank`, `explainer` and `catalog`, with a fixed list."""

    def __init__(self):
        self.catalog = catalog()
        self.explainer = Explainer(FakeBackend(reply=reply_for), self.catalog, ExplainerConfig())

    def rank(self, request, k):
        evidence = [Evidence("cooccurrence", 1, 1.0, 'co-watched with "Heat (1995)"', related=(HEAT,))]
        return [Recommendation(str(i + 1), self.catalog[i].display, 1.0, evidence, index=i)
                for i in (ALIEN, SUSPECTS, FARGO)][:k]


def test_audit_runs_every_check_on_the_same_drafts():
    audit = audit_explanations(ThreeItems(), [("user 1", Request([HEAT], [5.0]))], per_request=3, progress=False)
    assert [d.problems for d in audit.drafts] == [["ungrounded genre"], [], ["ungrounded title"]]
    summary = audit.summary()
    assert summary["fail_each_check"] == {"empty": 0, "echoes the prompt": 0, "speaks as a viewer": 0,
                                          "ungrounded title": 1, "ungrounded genre": 1}
    assert (summary["rejected_by_title_checks"], summary["rejected_by_all_checks"]) == (1, 2)
    table = format_markdown(audit)
    assert "| titles only (empty, ungrounded title) | 1 | 33.3% |" in table
    assert "| all checks (+ prompt echo, viewer's voice, ungrounded genre) | 2 | 66.7% |" in table
    assert 'Alien (1979) (Horror, Sci-Fi; user 1): "You may like' in table  # the newly rejected example
    assert "Toy Story" not in table.split("new checks reject:")[1]  # already rejected by the title check


def test_audit_needs_an_llm_explainer():
    with pytest.raises(ValueError, match="no LLM explainer"):
        audit_explanations(SimpleNamespace(explainer=None, catalog=catalog()), [], progress=False)


def test_sample_users_is_seeded_and_rejects_a_size_out_of_range():
    known = [str(i) for i in range(1, 11)]
    assert sample_users(known, 3, seed=0) == sample_users(known, 3, seed=0)
    assert sorted(sample_users(known, 10)) == sorted(known)
    for bad in (0, 11):
        with pytest.raises(RecommenderError, match="between 1 and 10"):
            sample_users(known, bad)


def test_chat_requests_are_what_the_chat_sends_genre_hints_included():
    from chat_fakes import FakeRecommender, make_catalog

    from recommender.evaluation.explanations import chat_requests

    fake = FakeRecommender(make_catalog(), {})
    funny, western = chat_requests(fake, ["something funny", "a good western"])
    assert funny.query.startswith("something funny") and "Comedy" in funny.query  # the hint the chat adds
    assert funny.history == [] and "good western" in western.query
    with pytest.raises(ValueError, match="no request"):
        chat_requests(fake, ["   "])
