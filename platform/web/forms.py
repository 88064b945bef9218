from django import forms

from graders.submission_files import LIMITS, SubmissionFilesError, validate_submission_files


class SubmitForm(forms.Form):
    code = forms.CharField(widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "false", "class": "code"}), required=False, label="Paste your code")
    upload = forms.FileField(required=False, label="…or upload a file")
    # Any name is taken here: the service says clearly when its class has no live worker (it may
    # have gone since the page was drawn).
    device_class = forms.CharField(required=False, max_length=40, label="Grade on", widget=forms.Select)

    def __init__(self, *args, entry_file: str, device_classes: list[dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry_file = entry_file
        self.fields["code"].widget.attrs["data-file"] = entry_file
        self.fields["device_class"].widget.choices = [(row["name"], device_class_label(row)) for row in device_classes or []]

    def clean(self):
        data = super().clean()
        if self.errors:  # a field already said what is wrong
            return data
        upload = data.get("upload")
        if upload:
            if upload.size > LIMITS.max_file_bytes:  # refused before it is read into memory
                raise forms.ValidationError(f"The file is larger than {LIMITS.max_file_bytes // 1024} KiB.")
            try:
                data["code"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError("The uploaded file is not UTF-8 text.") from None
        if not (data.get("code") or "").strip():
            raise forms.ValidationError("Paste your code or upload a file.")
        try:
            validate_submission_files({self.entry_file: data["code"]})
        except SubmissionFilesError as exc:
            raise forms.ValidationError(str(exc)) from None
        return data

    def submission_files(self) -> dict[str, str]:
        return {self.entry_file: self.cleaned_data["code"]}


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
