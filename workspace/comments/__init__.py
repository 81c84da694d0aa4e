"""Comments: threads on a document range, on a card, or in a space's discussion, with mentions."""
