"""Stage 4, protect: envelope encryption of every folder, one key slot per login.

crypto.py is the one module that encrypts; seal.py lays the sealed site out; keystore.py
keeps the keys under .amentor/; logins.py issues and revokes logins.
"""

from .crypto import SEALED_HEADER, looks_sealed
from .keystore import FolderKeys, Keystore, KeystoreError, open_keystore, secure_state
from .seal import attachment_names, folder_links, guide_links, seal_folder, shared_files, shell_html

__all__ = [
    "SEALED_HEADER",
    "FolderKeys",
    "Keystore",
    "KeystoreError",
    "attachment_names",
    "folder_links",
    "guide_links",
    "looks_sealed",
    "open_keystore",
    "seal_folder",
    "secure_state",
    "shared_files",
    "shell_html",
]
