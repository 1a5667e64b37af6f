"""Stage 6, publish: the new site staged beside the old one, then put in its place."""

from .files import PublishError, WriteError, stage_file, write_error
from .found import Found, as_written, file_id
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
    "stage_file",
    "stage_public_pages",
    "write_error",
]
