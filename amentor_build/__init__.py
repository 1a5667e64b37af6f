"""amentor: digital Assertive Mentoring folders, built into a static, protected site."""

__version__ = "0.2.0"
