"""Who is observed and who observes: people, teams, and this laptop's user."""
