"""The archive's domain: the document model, the store and citations."""
