"""What a run leaves behind: its files and its plot."""
