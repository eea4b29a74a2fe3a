"""The CLI as the team server's client: ``RemoteRecords`` over HTTP (httpx), and the
credentials ``hotfix login`` keeps."""
