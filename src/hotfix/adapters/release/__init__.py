"""Publishing a released library: the project's own publish command."""
