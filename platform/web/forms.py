from django import forms
from django.core.exceptions import ValidationError

from drafts.files import check_files, ordered, posted_files
from drafts.uploads import uploaded_files


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); sizes are checked by drafts.uploads."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class SubmitForm(forms.Form):
    """All the editor's files: the entry file's text in `code` (what a plain form or an older client
    posts), each other file's in `file:NAME`, plus uploaded files, a folder or a zip, which replace
    files of the same name. The names and sizes are checked by drafts.files.check_files, the same
    rules as the API and the grading pipeline."""

    code = forms.CharField(widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "false", "class": "code"}), required=False,
                           strip=False, label="Paste your code")
    upload = MultipleFileField(required=False, label="Upload files or a .zip")
    folder = MultipleFileField(required=False, label="Upload a folder",
                               widget=MultipleFileInput(attrs={"webkitdirectory": True, "directory": True}))
    # Any name is taken here: the service says clearly when its class has no live worker (it may
    # have gone since the page was drawn).
    device_class = forms.CharField(required=False, max_length=40, label="Grade on", widget=forms.Select)

    def __init__(self, *args, version, device_classes: list[dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.entry_file = version.entry_file
        self.fields["code"].widget.attrs["data-file"] = version.entry_file
        self.fields["device_class"].widget.choices = [(row["name"], device_class_label(row)) for row in device_classes or []]

    def posted_files(self) -> dict[str, str]:
        """The files as posted in the textareas, for redrawing the form as it was sent."""
        return posted_files(self.data, entry_file=self.entry_file)

    def clean(self):
        data = super().clean()
        if self.errors:  # a field already said what is wrong
            return data
        files = self.posted_files()
        try:
            uploads = [*(data.get("upload") or []), *(data.get("folder") or [])]
            files.update(uploaded_files(uploads, version=self.version))
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        if not (files.get(self.entry_file) or "").strip():
            raise forms.ValidationError("Paste your code or upload a file.")
        try:
            data["files"] = check_files(version=self.version, files=ordered(files, version=self.version))
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        return data

    def submission_files(self) -> dict[str, str]:
        return self.cleaned_data["files"]


def device_class_label(row: dict) -> str:
    model = f"{row['gpu_model']}, " if row.get("gpu_model") else ""
    return f"{row['name']} ({model}{row['free_slots']} free of {row['workers']} worker{'s' if row['workers'] != 1 else ''})"


class CatalogFilterForm(forms.Form):
    """Catalog filters; a value the catalog does not have is reported and ignored."""

    tag = forms.ChoiceField(required=False, label="Topic")
    difficulty = forms.ChoiceField(required=False, label="Difficulty")
    device = forms.ChoiceField(required=False, label="Device")

    def __init__(self, *args, facets: dict[str, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        for field, values in (("tag", facets["tags"]), ("difficulty", facets["difficulties"]), ("device", facets["devices"])):
            self.fields[field].choices = [("", "any")] + [(v, v) for v in values]

    def filters(self) -> dict[str, str | None]:
        """The valid filters (invalid ones dropped: the form's errors say which)."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) or None for name in ("tag", "difficulty", "device")}

    @property
    def active(self) -> bool:
        return any(self.filters().values())
