"""The indexing side: load → clean → parse clauses → store. Knows nothing of questions."""
