from django import forms

from graders.submission_files import LIMITS, SubmissionFilesError, validate_submission_files


class SubmitForm(forms.Form):
    code = forms.CharField(widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "false", "class": "code"}), required=False, label="Paste your code")
    upload = forms.FileField(required=False, label="…or upload a file")

    def __init__(self, *args, entry_file: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry_file = entry_file

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
