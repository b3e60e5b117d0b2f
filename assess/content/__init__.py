"""Assessment content: files in exercises/ and rubrics/, validated into immutable versions."""

from .loader import ContentError, ContentLibrary, Problem, Versioned, content_hash, load_library

__all__ = ["ContentError", "ContentLibrary", "Problem", "Versioned", "content_hash", "load_library"]
