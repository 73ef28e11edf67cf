"""`recommender recommend` (placeholder until its issue lands)."""

from recommender.errors import RecommenderError


def add_parser(sub):
    p = sub.add_parser("recommend", help="(not yet available)")
    p.set_defaults(run=run)
    return p


def run(args) -> int:
    raise RecommenderError("'recommend' is not available yet")
