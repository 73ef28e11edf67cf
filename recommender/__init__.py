"""A conversational recommender: hybrid retrieval, a quantized LLM ranker with LoRA, and a chat.

Heavy libraries (torch, transformers, gradio) are imported lazily so that `recommender --help` is instant.
"""

__version__ = "0.1.0"


def __getattr__(name):
    if name == "Recommender":
        from recommender.facade import Recommender

        return Recommender
    raise AttributeError(name)
