//! Offline evaluation: TREC runs and qrels, relevance metrics (nDCG@10,
//! Recall@k, MRR@10, P@10, judged@10) and the runner that compares ranking
//! variants on the shared relevance sets.
//!
//! Does not own: ranking itself; it drives the ranker's public search API.
