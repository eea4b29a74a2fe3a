"""The files a set of patches touches, at many release tags, read in two git processes.

ONE ``cat-file --batch-check`` names the blob of every (tag, path); ONE ``cat-file --batch``
reads each distinct blob once (a file that did not change between two tags is read once,
and each patch is checked against it once). Nothing is checked out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hotfix.domain.audit.hunks import FilePatch
from hotfix.domain.audit.presence import Tally, Text, file_tally
from hotfix.ports import GitRepo


class TagTrees:
    """``paths`` at each commit of ``commits`` (tag → commit), and patches tallied there."""

    def __init__(self, git: GitRepo, commits: Mapping[str, str], paths: Sequence[str]) -> None:
        pairs = [(tag, path) for tag in commits for path in paths]
        ids = git.blob_ids([f"{commits[tag]}:{path}" for tag, path in pairs])
        self._blob: dict[tuple[str, str], str] = {
            pair: blob for pair, blob in zip(pairs, ids, strict=True) if blob}
        distinct = list(dict.fromkeys(self._blob.values()))
        self._text = {blob: None if text is None else Text(text)
                      for blob, text in zip(distinct, git.read_blobs(distinct), strict=True)}
        self._seen: dict[tuple[int, str], Tally] = {}

    def tally(self, tag: str, patch: Sequence[FilePatch]) -> Tally:
        """The hunks of ``patch`` applied, absent or unknown in ``tag``'s tree."""
        total = Tally()
        for file in patch:
            blob = self._blob.get((tag, file.path))
            key = (id(file), blob or "")  # the caller holds the patches while it asks
            if key not in self._seen:
                text = self._text.get(blob) if blob else None
                self._seen[key] = file_tally(file, text, blob is not None)
            total += self._seen[key]
        return total
