"""Documents and retrieval: the shipped playbook, normalization, chunking, the index and answers."""
