"""What the editor include (templates/drafts/editor.html) draws: one textarea per file inside an
element carrying data-file="NAME", and the data the editor script reads. Used by the challenge
page (web) and an assessment's item page (assessments)."""
from __future__ import annotations

import json

from drafts.files import FILE_FIELD_PREFIX, allowed_names, data_files, limits_document, starter_tabs, word_count


def editor_context(*, version, files: dict[str, str], draft_url: str = "", upload_url: str = "", download_url: str = "",
                   uploads: bool = False, starter_url_name: str = "") -> dict:
    """`uploads`: offer file, folder and zip uploads (the form posts them; with `upload_url` the
    script reads them at once). `starter_url_name`: the URL name (slug, file name) of a starter file."""
    prose = version.challenge.kind == "written"  # an essay: a plain textarea with a word count
    rows = [{"name": name, "text": text, "field": "code" if name == version.entry_file else FILE_FIELD_PREFIX + name,
             "id": f"editor-file-{index}", "words": word_count(text) if prose else None}
            for index, (name, text) in enumerate(files.items())]
    return {
        "editor_files": rows,
        "editor_mode": "prose" if prose else "code",
        "editor_entry": version.entry_file,
        "editor_allowed": allowed_names(version),
        "editor_allowed_json": json.dumps(allowed_names(version)),
        "editor_limits": limits_document(),
        "editor_limits_json": json.dumps(limits_document()),
        "editor_uploads": uploads,
        "editor_starter": starter_tabs(version),
        "editor_data_files": data_files(version),
        "editor_draft_url": draft_url,
        "editor_upload_url": upload_url,
        "editor_download_url": download_url,
        "editor_slug": version.challenge.slug,
        "editor_starter_url_name": starter_url_name,
    }
