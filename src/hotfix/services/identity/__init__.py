"""The team server's people: adding users with roles, their tokens, who a token is."""
