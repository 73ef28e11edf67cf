"""The explanation audit on ML-100k: whole lists explained as the chat explains them, each card read by
the independent check, side by side with the plain rendering of the same facts.

    .venv/bin/python eval/explanations.py --out eval/results/explanations

Lists: the history of seeded users from the half of the users the explain adapter never trained on
(`recommender.train.explain_task.training_user`), and new users' typed requests read by the chat's
intent model. Ten cards each, so at least 300 explanations with the defaults. The default model and
adapters on CPU; about 10 minutes on a 2-core machine. Timings carry the machine's load average.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from pathlib import Path

MESSAGES = ["something like Alien but funnier, from the 90s", "a romantic comedy", "a dark crime thriller",
            "animated movies for kids", "space adventure with robots", "a good western", "a scary movie for tonight",
            "a war film", "a musical", "a mystery with a twist"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="ml-100k", help="data set name or path")
    parser.add_argument("--users", type=int, default=25, help="seeded sample of known users (evaluation half)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the user sample")
    parser.add_argument("--out", default="eval/results/explanations", help="writes OUT.json and OUT.md")
    args = parser.parse_args()
    if args.users < 1:
        parser.error(f"--users must be at least 1, not {args.users}")

    from recommender.errors import RecommenderError
    from recommender.evaluation.explanations import audit, chat_requests, format_markdown, sample_users
    from recommender.facade import Recommender
    from recommender.llm.defaults import llm_config_from, resolve_explain_adapter, resolve_intent_adapter
    from recommender.train.explain_task import training_user

    rec = Recommender.load(args.data, ranker="llm", llm_config=llm_config_from(None, "4bit", "default"),
                           intent_adapter=resolve_intent_adapter("default", None),
                           explain_adapter=resolve_explain_adapter("default", None))
    try:
        users = sample_users(rec.known_users(), args.users, args.seed, allowed=lambda u: not training_user(u))
    except RecommenderError as exc:
        parser.error(str(exc))
    requests = [(f"user {u}", rec.build_request(user=u)) for u in users]
    requests += [(f'new user: "{m}"', r) for m, r in zip(MESSAGES, chat_requests(rec, MESSAGES))]
    result = audit(rec, requests)
    command = (f".venv/bin/python eval/explanations.py --data {args.data} --users {args.users} --seed {args.seed} "
               f"--out {args.out}")
    load = os.getloadavg()
    writes = "LLM with the explain adapter" if rec.explainer.writes else "plain renderings (no explain adapter)"
    text = (f"Command: `{command}`\n\nModel: {rec.explainer.backend.model_id}, explanations: {writes}; "
            f"{len(users)} users (evaluation half) and {len(MESSAGES)} typed requests, ten cards each. Machine: "
            f"{platform.machine()}, {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}.\n\n"
            + format_markdown(result))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps({"command": command, "load_average": load, **result.to_json()},
                                                   indent=2) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
