"""Printable login letters: one HTML page per login, with a QR code that opens the login page."""

from __future__ import annotations

import os
from pathlib import Path

import qrcode
import qrcode.image.svg
from jinja2 import Environment
from markupsafe import Markup

from .logins import IssuedLogin, display_code


def qr_svg(text: str) -> Markup:
    """An inline SVG QR code (no image files, prints sharply)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return Markup(svg[svg.index("<svg") :])


def write_letters(
    directory: Path, issued: list[IssuedLogin], school_name: str, site_url: str, env: Environment
) -> list[Path]:
    """Write one letter per login into directory (mode 0600: they hold passwords); return the files."""
    directory.mkdir(parents=True, exist_ok=True)
    template = env.get_template("letters/letter.html")
    written = []
    for item in issued:
        code = item.login.code
        address = site_url or "the school's folder website"
        link = f"{site_url}index.html#code={code}" if site_url else ""
        html = template.render(
            school=school_name,
            item=item,
            code=display_code(code),
            address=address,
            qr=qr_svg(link) if link else None,
            link=link,
        )
        path = directory / f"login-{code}.html"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(html)
        written.append(path)
    return written
