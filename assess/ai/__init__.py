"""The AI grading aid: it drafts, a person decides."""
