"""Reports: a hotfix's record as a document people read (Markdown, HTML, PDF), with the
canary chart the dashboard shows too. Presentation only: it reads plain data built from the
record (``document.Report``) and imports nothing of hotfix but the domain."""
