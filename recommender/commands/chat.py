"""`recommender chat`: serve the conversational recommender as a local web page (Gradio)."""

from __future__ import annotations

from pathlib import Path

from recommender.chat.config import ChatConfig
from recommender.config import field_help

FLAG_TYPES = {"port": int, "k": int, "max_message_chars": int}
CHOICES = {"ranker": ["llm", "none"], "quantize": ["4bit", "8bit", "none"]}


def add_parser(sub):
    p = sub.add_parser(
        "chat", help="chat in the browser: describe what you want, refine over several turns",
        description="Serve the chat on http://HOST:PORT (loopback only by default). The model loads once at start.",
    )
    p.add_argument("--config", metavar="YAML", help="YAML file with ChatConfig fields (flags override it)")
    defaults = ChatConfig()
    for name, help_text in field_help(ChatConfig).items():
        if "default" not in help_text:
            help_text += f" (default: {getattr(defaults, name)})"
        p.add_argument(f"--{name.replace('_', '-')}", dest=name, type=FLAG_TYPES.get(name, str), default=None,
                       choices=CHOICES.get(name), help=help_text)
    p.set_defaults(run=run)
    return p


def run(args) -> int:
    import logging
    import os
    import time

    from recommender.config import build_config

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    overrides = {name: getattr(args, name, None) for name in field_help(ChatConfig)}
    config = build_config(ChatConfig, args.config, overrides)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # gradio polls its own server at start
    started = time.perf_counter()
    recommender = load_recommender(config)
    seconds = time.perf_counter() - started

    from recommender.chat.app import launch
    from recommender.chat.session import ChatEngine

    engine = ChatEngine(recommender, k=config.k, max_message_chars=config.max_message_chars,
                        intent_parser=recommender.intent_parser)
    print("warming up (query embedder, first model call) …", flush=True)
    seconds += engine.warm_up()
    status = status_line(recommender, config, seconds)
    print(f"ready: {status.replace('**', '')}", flush=True)
    print(f"open http://{config.host}:{config.port} in a browser (Ctrl+C stops)", flush=True)
    launch(engine, status, config.host, config.port, config.credentials())
    return 0


def load_recommender(config: ChatConfig):
    from recommender.facade import Recommender

    llm_config = intent = explain = None
    if config.ranker == "llm":
        from recommender.llm.defaults import llm_config_from, resolve_explain_adapter, resolve_intent_adapter

        llm_config = llm_config_from(config.model, config.quantize, config.adapter)
        intent = resolve_intent_adapter(config.intent, config.model)
        explain = resolve_explain_adapter(config.explain, config.model)
    print(f"loading {config.data} (ranker: {config.ranker}) …", flush=True)
    return Recommender.load(config.data, ranker=config.ranker, llm_config=llm_config, progress=True,
                            intent_adapter=intent, explain_adapter=explain)


def status_line(recommender, config: ChatConfig, seconds: float) -> str:
    """The line the page shows under its title: what is loaded and how long loading took."""
    n_items, n_users = len(recommender.catalog), len(recommender.known_users())
    model = ""
    backend = getattr(getattr(recommender, "ranker", None), "backend", None)
    if config.ranker == "llm":
        model_id = getattr(backend, "model_id", None) or config.model or "default model"
        adapter = getattr(recommender, "adapter", None)
        adapter = f"adapter {Path(adapter).name}" if adapter else "no adapter"
        intent = "intent model on" if getattr(recommender, "intent_parser", None) else "rule parser only"
        writes = getattr(getattr(recommender, "explainer", None), "writes", False)
        explain = "LLM explanations" if writes else "plain explanations"
        model = f" ({model_id}, {config.quantize}, {adapter}, {intent}, {explain})"
    return (f"**Ready** · {recommender.dataset.name}: {n_items:,} movies, {n_users:,} users · "
            f"ranker: {config.ranker}{model} · loaded in {seconds:.1f} s")
