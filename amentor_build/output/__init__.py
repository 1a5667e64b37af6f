"""Stage 6, publish: the new site staged beside the old one, then put in its place."""

from .files import PublishError, WriteError, remove_abandoned, stage_file, write_atomically, write_error
from .found import Found, as_written, file_id, file_stamp
from .public import PublicPages, stage_public_pages
from .staging import SiteTransaction

__all__ = [
    "Found",
    "PublicPages",
    "PublishError",
    "SiteTransaction",
    "WriteError",
    "as_written",
    "file_id",
    "file_stamp",
    "remove_abandoned",
    "stage_file",
    "stage_public_pages",
    "write_atomically",
    "write_error",
]
