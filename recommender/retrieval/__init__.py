"""The retrieval stage: channels (BM25, dense, co-occurrence, transitions, popularity) fused into a shortlist."""
