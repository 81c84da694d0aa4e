"""In-app notices for one person ("You were assigned …"); the later notification centre grows from here."""
