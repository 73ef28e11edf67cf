"""LoRA fine-tuning of the LLM ranker (`recommender train`). Entry point: recommender.train.run.train."""
