"""Stage 5, plan: the linked-up `Site` → one `Page` per output file, and the checks of that plan."""
