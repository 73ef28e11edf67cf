"""`recommender recommend`: ranked, explained recommendations for a known user or a typed history."""

from __future__ import annotations

import argparse


def add_parser(sub):
    p = sub.add_parser(
        "recommend", help="recommend items for a user id or a list of titles",
        description="Recommend for a known user (--user) or a new one (--history \"Title A; Title B\"), "
                    "optionally steered by a request (--query).",
    )
    p.add_argument("--data", default="ml-100k", help="data set name or path (default: ml-100k)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--user", help="a known user id: their history is the profile")
    who.add_argument("--history", help='titles or item ids separated by ";", e.g. "Heat (1995); Se7en"')
    p.add_argument("--query", help='what you want, e.g. "something like Alien but funnier"')
    p.add_argument("-k", type=int, default=10, help="how many items (default: 10)")
    p.add_argument("--json", action="store_true", help="print JSON: a list of {item_id, title, score, explanation, evidence}")
    p.add_argument("--no-explain", action="store_true", help="skip the LLM explanations (faster)")
    p.add_argument("--ranker", choices=["llm", "none"], default="llm", help="re-rank with the LLM (default) or not")
    p.add_argument("--model", help="LLM: Hugging Face id or path (default: embedded SmolLM2-135M-Instruct)")
    p.add_argument("--quantize", choices=["4bit", "8bit", "none"], default="4bit", help="LLM weights (default: 4bit NF4)")
    p.add_argument("--adapter", default="default",
                   help="LoRA adapter path, 'default' (the shipped one when its base matches) or 'none'")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from recommender.errors import RecommenderError
    from recommender.facade import Recommender

    if not args.user and not args.history and not (args.query and args.query.strip()):
        raise RecommenderError("say who the recommendations are for: --user ID, --history \"Title A; Title B\", "
                               "or at least --query TEXT")
    llm_config = None
    if args.ranker == "llm":
        from recommender.llm.stack import llm_config_from

        llm_config = llm_config_from(args.model, args.quantize, args.adapter)
    rec = Recommender.load(args.data, ranker=args.ranker, llm_config=llm_config, progress=not args.json)
    history = [h for h in (args.history or "").split(";") if h.strip()]
    results = rec.recommend(history=history, query=args.query, k=args.k, user=args.user,
                            explain=not args.no_explain)
    if args.json:
        print(json.dumps([r.to_json() for r in results], indent=2, ensure_ascii=False))
        return 0
    if not results:
        print("Nothing fits that request; try relaxing it.", file=sys.stderr)
        return 1
    for n, r in enumerate(results, 1):
        item = rec.catalog[r.index]
        genres = ", ".join(item.genres)
        print(f"{n:2d}. {r.title}  [{genres}]  score {r.score:.3f}")
        if r.explanation:
            print(f"    {r.explanation}")
    return 0
