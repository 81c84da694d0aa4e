"""Participation balance (issue 10): who has and has not been heard, per community and per member."""
