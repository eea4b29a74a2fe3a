"""Deploy targets: where versions of the app run (local processes, the team's command)."""
