"""Moderation across the boundary (issue 10): flags, a review queue, hides with reasons, appeals, mutes, slow mode."""
