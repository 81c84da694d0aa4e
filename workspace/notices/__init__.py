"""The notification centre: notices for one person about something that waits for them, grouped,
filtered by each person's level per space, counted live in the header, and mailed as a digest."""
