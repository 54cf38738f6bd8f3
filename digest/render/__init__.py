"""Stage 6, render: the theme's templates found and checked, and each `Page` rendered to bytes."""
