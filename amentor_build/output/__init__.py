"""Stage 6, publish: the new site staged beside the old one, then put in its place."""

from .public import PublicPages, stage_public_pages
from .staging import PublishError, SiteTransaction, WriteError, stage_file, write_atomically, write_error

__all__ = [
    "PublicPages",
    "PublishError",
    "SiteTransaction",
    "WriteError",
    "stage_file",
    "stage_public_pages",
    "write_atomically",
    "write_error",
]
