"""Stage 6, publish: the new site staged beside the old one, then put in its place."""

from .public import PublicPages, stage_public_pages
from .staging import PublishError, SiteTransaction, stage_file

__all__ = ["PublicPages", "PublishError", "SiteTransaction", "stage_file", "stage_public_pages"]
