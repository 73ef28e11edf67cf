"""How often the LLM's explanations are rejected by the post-checks, and why, on ML-100k.

    .venv/bin/python eval/explanations.py --out eval/results/explanations

Explains the top 3 items for 30 seeded ML-100k users (their whole history as the profile) and for the
typed requests of a new user below (as the chat sends them, genre hints included), with the default
model and adapter on CPU. Every check runs on the same generated texts, so the rejection rate of the
title check alone and of all checks (plus genre claims, prompt echoes and the viewer's voice) are
measured side by side (`recommender/evaluation/explanations.py`). About 5 minutes on a 2-core CPU.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

QUERIES = ["something like Alien but funnier, from the 90s", "a romantic comedy", "a dark crime thriller",
           "animated movies for kids", "space adventure with robots", "a good western",
           "a scary movie for tonight", "a war film based on a true story", "a musical", "a mystery with a twist"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="ml-100k", help="data set name or path")
    parser.add_argument("--users", type=int, default=30, help="seeded sample of known users")
    parser.add_argument("--per-request", type=int, default=3, help="items explained per request")
    parser.add_argument("--seed", type=int, default=0, help="seed of the user sample")
    parser.add_argument("--out", default="eval/results/explanations", help="writes OUT.json and OUT.md")
    args = parser.parse_args()

    from recommender.evaluation.explanations import audit_explanations, chat_requests, format_markdown, sample_users
    from recommender.facade import Recommender
    from recommender.llm.defaults import llm_config_from

    from recommender.errors import RecommenderError

    if args.users < 1:
        parser.error(f"--users must be at least 1, not {args.users}")
    rec = Recommender.load(args.data, ranker="llm", llm_config=llm_config_from(None, "4bit", "default"))
    try:
        users = sample_users(rec.known_users(), args.users, args.seed)
    except RecommenderError as exc:
        parser.error(str(exc))
    requests = [(f"user {u}", rec.build_request(user=u)) for u in users]
    requests += [(f'new user: "{q}"', r) for q, r in zip(QUERIES, chat_requests(rec, QUERIES))]
    audit = audit_explanations(rec, requests, args.per_request)
    command = (f".venv/bin/python eval/explanations.py --data {args.data} --users {args.users} "
               f"--per-request {args.per_request} --seed {args.seed} --out {args.out}")
    text = (f"Command: `{command}`\n\nModel: {rec.explainer.backend.model_id}, adapter: {rec.adapter or 'none'}; "
            f"{len(users)} users and {len(QUERIES)} typed requests, top {args.per_request} items each.\n\n"
            + format_markdown(audit))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps({"command": command, **audit.to_json()}, indent=2) + "\n",
                                        encoding="utf-8")
    out.with_suffix(".md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
