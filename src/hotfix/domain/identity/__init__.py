"""Who may do what on the team server: roles, permissions, identities, token hashes (pure)."""
