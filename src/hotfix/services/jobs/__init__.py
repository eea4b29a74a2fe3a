"""Background jobs: what runs outside a request, for a project of the team server
(``catalog``: the jobs; ``scope``: what one runs against). The runners are adapters
(``hotfix.ports.jobs``)."""
