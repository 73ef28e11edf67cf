"""Offline evaluation: retrieval, LLM re-ranking and scripted conversations."""
