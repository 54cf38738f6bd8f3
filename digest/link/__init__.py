"""Stage 4, link: the published articles and term pages → a `Site` of people, topics, archives and related articles."""
